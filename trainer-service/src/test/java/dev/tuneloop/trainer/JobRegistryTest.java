package dev.tuneloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobRegistryTest {

  private static final TrainingJobSpec SPEC =
      TrainingJobSpec.newBuilder()
          .setJobId("job-1")
          .setTenant("acme")
          .setAdapterName("faq")
          .setBaseModel("stories260K")
          .setMaxSteps(40)
          .build();

  @Test
  void aRestartedRegistryKnowsTheSpecFromTheLatestEventAlone() {
    TrainingJobEvent succeeded = JobEvents.of(SPEC, JobState.SUCCEEDED).setStep(40).build();
    JobRegistry restarted = new JobRegistry(); // fed only what compaction kept: the terminal event

    restarted.record(succeeded);

    JobStatus status = restarted.get("job-1").orElseThrow();
    assertThat(status.getSpec()).isEqualTo(SPEC);
    assertThat(status.getLatest().getState()).isEqualTo(JobState.SUCCEEDED);
    assertThat(status.getLatest().hasSpec())
        .as("the spec lives in JobStatus.spec, not twice")
        .isFalse();
    assertThat(restarted.list("acme", List.of())).containsExactly(status);
  }

  @Test
  void anEventComingBackFromTheTopicIsNotAppliedTwice() {
    JobRegistry registry = new JobRegistry();
    List<TrainingJobEvent> seen = new ArrayList<>();
    registry.onEvent(seen::add);
    TrainingJobEvent running = JobEvents.of(SPEC, JobState.RUNNING).setStep(3).build();

    assertThat(registry.record(running)).isTrue();
    assertThat(registry.record(running)).isFalse();
    assertThat(seen).hasSize(1).allSatisfy(e -> assertThat(e.hasSpec()).isFalse());
  }
}
