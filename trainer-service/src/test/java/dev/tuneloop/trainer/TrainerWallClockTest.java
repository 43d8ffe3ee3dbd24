package dev.tuneloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.GetJobRequest;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.testing.SampleData;
import dev.tuneloop.trainer.testing.TrainerHarness;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import org.junit.jupiter.api.Test;

/** A real job that runs past the operator's wall-clock limit ends FAILED, saying so. */
@WithInfra
class TrainerWallClockTest {

  @Test
  void aJobPastTheWallClockLimitEndsFailedWithTheReasonAndTheSetting(Infra infra) throws Exception {
    String snapshot =
        TrainerHarness.writeSnapshot(infra.objectStore(), "acme", "slow", SampleData.foobear());
    var props =
        new HashMap<>(
            TrainerHarness.properties(infra, "wallclock", Files.createTempDirectory("trainer-")));
    props.put("trainer.limits.max-duration", "4s");
    try (EmbeddedServer server = TrainerHarness.start(infra, props)) {
      var channel = TrainerHarness.channel(server);
      try {
        var trainer = TrainerHarness.stub(channel);
        String jobId =
            trainer
                .submitJob(
                    TrainingJobSpec.newBuilder()
                        .setTenant("acme")
                        .setAdapterName("slow")
                        .setBaseModel("stories260K")
                        .setDatasetSnapshot(snapshot)
                        .setMaxSteps(100_000)
                        .setMicroBatchSize(4)
                        .setEvalFraction(0)
                        .setCheckpointSteps(1000)
                        .build())
                .getSpec()
                .getJobId();
        await()
            .atMost(Duration.ofMinutes(2))
            .until(
                () ->
                    JobRegistry.isTerminal(
                        trainer
                            .getJob(GetJobRequest.newBuilder().setJobId(jobId).build())
                            .getLatest()
                            .getState()));
        TrainingJobEvent last =
            trainer.getJob(GetJobRequest.newBuilder().setJobId(jobId).build()).getLatest();
        assertThat(last.getState()).as(last.toString()).isEqualTo(JobState.FAILED);
        assertThat(last.getError())
            .contains("wall-clock limit of PT4S")
            .contains("trainer.limits.max-duration");
        assertThat(last.getAttempt()).isEqualTo(1);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
