package dev.tuneloop.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreparedDataTest {

  static TrainingConfig config(TrainingJobSpec.Builder spec) {
    return TrainingSpecs.toConfig(
        spec.setTenant("t")
            .setAdapterName("a")
            .setBaseModel("m")
            .setDatasetSnapshot("datasets/t/d/snapshots/1/manifest.json")
            .build(),
        512);
  }

  private static final SupervisedSequence LONG =
      new SupervisedSequence(
          new int[] {1, 2, 3, 4, 5, 6}, new boolean[] {false, false, false, false, true, true});

  @Test
  void dropPolicyLeavesLongExamplesOutAndSaysHowMany() {
    var data =
        PreparedData.of(
            List.of(LONG, LONG, BatcherTest.examples(1).getFirst()),
            List.of(),
            config(TrainingJobSpec.newBuilder().setMaxSeqLen(5).setEvalFraction(0)));
    assertThat(data.train()).hasSize(1);
    assertThat(data.warnings())
        .contains("2 training examples longer than max_seq_len 5 were dropped");
  }

  @Test
  void truncateLeftKeepsTheEndAndTruncateRightTheBeginning() {
    var left =
        PreparedData.of(
                List.of(LONG),
                List.of(),
                config(
                    TrainingJobSpec.newBuilder()
                        .setMaxSeqLen(4)
                        .setEvalFraction(0)
                        .setTruncation("truncate_left")))
            .train()
            .getFirst();
    assertThat(left.tokens()).containsExactly(3, 4, 5, 6);
    assertThat(left.supervised()).containsExactly(false, false, true, true);
    var right =
        PreparedData.of(
            List.of(LONG, LONG),
            List.of(),
            config(
                TrainingJobSpec.newBuilder()
                    .setMaxSeqLen(5)
                    .setEvalFraction(0)
                    .setTruncation("truncate_right")));
    assertThat(right.train().getFirst().tokens()).containsExactly(1, 2, 3, 4, 5);
    assertThat(right.warnings().getFirst())
        .isEqualTo("2 training examples longer than max_seq_len 5 were truncated (truncate_right)");
  }

  @Test
  void evalFractionHoldsOutASeededShare() {
    var all = BatcherTest.examples(40);
    var data =
        PreparedData.of(all, List.of(), config(TrainingJobSpec.newBuilder().setEvalFraction(0.1f)));
    assertThat(data.eval()).hasSize(4);
    assertThat(data.train()).hasSize(36).doesNotContainAnyElementsOf(data.eval());
    var again =
        PreparedData.of(all, List.of(), config(TrainingJobSpec.newBuilder().setEvalFraction(0.1f)));
    assertThat(again.eval()).isEqualTo(data.eval());
    var otherSeed =
        PreparedData.of(
            all, List.of(), config(TrainingJobSpec.newBuilder().setEvalFraction(0.1f).setSeed(1)));
    assertThat(otherSeed.eval()).isNotEqualTo(data.eval());
  }

  @Test
  void anExplicitEvalSetReplacesTheSplit() {
    var all = BatcherTest.examples(40);
    var eval = BatcherTest.examples(3);
    var data =
        PreparedData.of(
            all,
            eval,
            config(
                TrainingJobSpec.newBuilder()
                    .setEvalDatasetSnapshot("datasets/t/e/snapshots/1/manifest.json")));
    assertThat(data.train()).hasSize(40);
    assertThat(data.eval()).hasSize(3);
  }

  @Test
  void smallDatasetsCarryTheOverfittingWarning() {
    var small =
        PreparedData.of(BatcherTest.examples(40), List.of(), config(TrainingJobSpec.newBuilder()));
    assertThat(small.warnings())
        .anyMatch(w -> w.startsWith("overfitting risk: only 36 training examples"));
    var large =
        PreparedData.of(BatcherTest.examples(400), List.of(), config(TrainingJobSpec.newBuilder()));
    assertThat(large.warnings()).noneMatch(w -> w.startsWith("overfitting"));
  }
}
