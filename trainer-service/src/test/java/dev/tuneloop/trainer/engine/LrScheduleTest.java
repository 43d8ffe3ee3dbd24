package dev.tuneloop.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

/** Reference values computed by hand from transformers' schedule formulas. */
class LrScheduleTest {

  @Test
  void warmupRisesLinearlyFromZero() {
    var s = new LrSchedule(LrSchedulerType.COSINE, 1e-3, 4, 20);
    assertThat(s.at(0)).isZero();
    assertThat(s.at(1)).isEqualTo(0.25e-3, offset(1e-12));
    assertThat(s.at(3)).isEqualTo(0.75e-3, offset(1e-12));
    assertThat(s.at(4)).isEqualTo(1e-3, offset(1e-12));
  }

  @Test
  void cosineIsHalfwayAtTheMiddleAndZeroAtTheEnd() {
    var s = new LrSchedule(LrSchedulerType.COSINE, 1e-3, 4, 20);
    assertThat(s.at(12)).isEqualTo(0.5e-3, offset(1e-12)); // progress 8/16
    assertThat(s.at(8)).isEqualTo(1e-3 * 0.5 * (1 + Math.cos(Math.PI / 4)), offset(1e-12));
    assertThat(s.at(20)).isEqualTo(0, offset(1e-12));
  }

  @Test
  void linearDecaysToZero() {
    var s = new LrSchedule(LrSchedulerType.LINEAR, 2e-4, 0, 10);
    assertThat(s.at(0)).isEqualTo(2e-4, offset(1e-12));
    assertThat(s.at(5)).isEqualTo(1e-4, offset(1e-12));
    assertThat(s.at(10)).isZero();
  }

  @Test
  void constantStaysAfterWarmup() {
    var s = new LrSchedule(LrSchedulerType.CONSTANT, 5e-4, 2, 10);
    assertThat(s.at(1)).isEqualTo(2.5e-4, offset(1e-12));
    assertThat(s.at(2)).isEqualTo(5e-4, offset(1e-12));
    assertThat(s.at(9)).isEqualTo(5e-4, offset(1e-12));
  }

  @Test
  void warmupStepsAreTheCeilingOfRatioTimesTotal() {
    TrainingConfig c =
        TrainingSpecs.toConfig(
            dev.tuneloop.proto.v1.TrainingJobSpec.newBuilder()
                .setTenant("t")
                .setAdapterName("a")
                .setBaseModel("m")
                .setDatasetSnapshot("datasets/t/d/snapshots/1/manifest.json")
                .build(),
            512);
    assertThat(LrSchedule.of(c, 100).warmupSteps()).isEqualTo(3);
    assertThat(LrSchedule.of(c, 10).warmupSteps()).isEqualTo(1);
  }
}
