package dev.tuneloop.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.dataset.EvalSplit;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
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
            PreparedData.positions(3),
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
                PreparedData.positions(1),
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
            PreparedData.positions(2),
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

  /** "ex-0", "ex-1", ...: example ids as a snapshot carries them. */
  static List<String> ids(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "ex-" + i).toList();
  }

  @Test
  void evalFractionHoldsOutExactlyTheExamplesTheFrozenSplitPicks() {
    var all = BatcherTest.examples(40);
    var ids = ids(0, 40);
    var data =
        PreparedData.of(
            all, ids, List.of(), config(TrainingJobSpec.newBuilder().setEvalFraction(0.1f)));
    var expected = new ArrayList<SupervisedSequence>();
    for (int i = 0; i < all.size(); i++) {
      if (EvalSplit.isEval(ids.get(i), 0.1)) {
        expected.add(all.get(i));
      }
    }
    assertThat(expected).isNotEmpty().hasSizeLessThan(all.size());
    assertThat(data.eval()).containsExactlyElementsOf(expected);
    assertThat(data.train()).hasSize(40 - expected.size()).doesNotContainAnyElementsOf(data.eval());
    // The seed orders the data but no longer picks the split.
    var otherSeed =
        PreparedData.of(
            all,
            ids,
            List.of(),
            config(TrainingJobSpec.newBuilder().setEvalFraction(0.1f).setSeed(1)));
    assertThat(otherSeed.eval()).containsExactlyElementsOf(data.eval());
  }

  @Test
  void anExamplesSideDoesNotChangeWhenOtherExamplesAreAdded() {
    var config = config(TrainingJobSpec.newBuilder().setEvalFraction(0.2f));
    var first = BatcherTest.examples(30);
    var before = PreparedData.of(first, ids(0, 30), List.of(), config);
    // 30 new examples, inserted before and after the old ones, as a later snapshot may order them.
    var grown = new ArrayList<SupervisedSequence>();
    var grownIds = new ArrayList<String>();
    var extra = BatcherTest.examples(60).subList(30, 60);
    grown.addAll(extra.subList(0, 15));
    grownIds.addAll(ids(30, 45));
    grown.addAll(first);
    grownIds.addAll(ids(0, 30));
    grown.addAll(extra.subList(15, 30));
    grownIds.addAll(ids(45, 60));
    var after = PreparedData.of(grown, grownIds, List.of(), config);

    assertThat(before.eval()).isNotEmpty();
    assertThat(after.eval()).containsAll(before.eval());
    assertThat(after.train()).containsAll(before.train());
    assertThat(after.eval()).hasSizeGreaterThan(before.eval().size()); // new ones were held out too
  }

  @Test
  void whenTheRuleHoldsOutNoneThereIsNoEvalSplitAndAWarningSaysSo() {
    var config = config(TrainingJobSpec.newBuilder().setEvalFraction(0.01f));
    // ids chosen so that none falls in the 1% split
    List<String> ids =
        IntStream.range(0, 200)
            .mapToObj(i -> "ex-" + i)
            .filter(id -> !EvalSplit.isEval(id, 0.01))
            .limit(5)
            .toList();
    var data = PreparedData.of(BatcherTest.examples(5), ids, List.of(), config);
    assertThat(data.eval()).isEmpty();
    assertThat(data.train()).hasSize(5);
    assertThat(data.warnings())
        .anyMatch(
            w ->
                w.startsWith("no eval split: eval_fraction 0.01 holds out none of the 5 examples")
                    && w.contains("raise eval_fraction"));
  }

  @Test
  void aDatasetEntirelyHeldOutIsRefusedNamingTheSplit() {
    List<String> ids =
        IntStream.range(0, 500)
            .mapToObj(i -> "ex-" + i)
            .filter(id -> EvalSplit.isEval(id, 0.1))
            .limit(2)
            .toList();
    assertThatThrownBy(
            () ->
                PreparedData.of(
                    BatcherTest.examples(2),
                    ids,
                    List.of(),
                    config(TrainingJobSpec.newBuilder().setEvalFraction(0.1f))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "dataset: no training example left (2 read, 2 of them held out for evaluation at"
                + " eval_fraction 0.1)");
  }

  @Test
  void anExplicitEvalSetReplacesTheSplit() {
    var all = BatcherTest.examples(40);
    var eval = BatcherTest.examples(3);
    var data =
        PreparedData.of(
            all,
            ids(0, 40),
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
        PreparedData.of(
            BatcherTest.examples(40), ids(0, 40), List.of(), config(TrainingJobSpec.newBuilder()));
    assertThat(small.warnings())
        .anyMatch(
            w -> w.startsWith("overfitting risk: only " + small.train().size() + " training"));
    assertThat(small.train()).hasSizeLessThan(40); // the default eval_fraction 0.1 held some out
    var large =
        PreparedData.of(
            BatcherTest.examples(400),
            ids(0, 400),
            List.of(),
            config(TrainingJobSpec.newBuilder()));
    assertThat(large.warnings()).noneMatch(w -> w.startsWith("overfitting"));
  }
}
