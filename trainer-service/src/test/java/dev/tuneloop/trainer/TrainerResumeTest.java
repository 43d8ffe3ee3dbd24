package dev.tuneloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.OptimizerConfig;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.proto.v1.WatchJobRequest;
import dev.tuneloop.trainer.testing.SampleData;
import dev.tuneloop.trainer.testing.TrainerHarness;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A worker shut down mid-job leaves a checkpoint; the next worker resumes it to the very adapter of
 * a straight run.
 */
@WithInfra
class TrainerResumeTest {

  @Test
  void aJobStoppedMidwayResumesOnAnotherWorkerToTheSameAdapter(Infra infra) throws Exception {
    ObjectStore store = infra.objectStore();
    String snapshot = TrainerHarness.writeSnapshot(store, "acme", "foobear", SampleData.foobear());
    Map<String, Object> props =
        TrainerHarness.properties(infra, "resume", Files.createTempDirectory("trainer-"));
    TrainingJobSpec.Builder spec =
        TrainingJobSpec.newBuilder()
            .setTenant("acme")
            .setAdapterName("foobear")
            .setBaseModel("stories260K")
            .setDatasetSnapshot(snapshot)
            .setSeed(7)
            // Dropout on: its random numbers are reseeded per step, so a resumed run draws the same
            // masks.
            .setLora(LoraConfig.newBuilder().setLoraR(4).setLoraDropout(0.1f))
            .setOptimizer(OptimizerConfig.newBuilder().setLearningRate(1e-2f))
            .setMicroBatchSize(8)
            .setGradientAccumulationSteps(2)
            .setMaxSteps(40)
            .setEvalSteps(10)
            .setCheckpointSteps(4);

    String straight;
    String cut;
    AdapterPublished straightAdapter;
    AdapterPublished cutAdapter;
    try (EmbeddedServer first = TrainerHarness.start(infra, props)) {
      var channel = TrainerHarness.channel(first);
      var trainer = TrainerHarness.stub(channel);
      straight = trainer.submitJob(spec.setJobId("straight").build()).getSpec().getJobId();
      var events = new ArrayList<TrainingJobEvent>();
      trainer
          .watchJob(WatchJobRequest.newBuilder().setJobId(straight).build())
          .forEachRemaining(events::add);
      assertThat(events.getLast().getState()).isEqualTo(JobState.SUCCEEDED);
      straightAdapter = events.getLast().getAdapter();

      cut = trainer.submitJob(spec.setJobId("cut").build()).getSpec().getJobId();
      var stream = trainer.watchJob(WatchJobRequest.newBuilder().setJobId(cut).build());
      while (stream.hasNext()) {
        TrainingJobEvent event = stream.next();
        if (event.getState() == JobState.RUNNING && event.getStep() >= 9) {
          assertThat(event.getStep()).isLessThan(40);
          break;
        }
      }
      channel.shutdownNow();
    } // the worker stops: the job checkpoints at its next step and its request stays uncommitted
    assertThat(store.exists("checkpoints/" + cut + "/latest")).isTrue();

    try (EmbeddedServer second = TrainerHarness.start(infra, props)) {
      var channel = TrainerHarness.channel(second);
      var events = new ArrayList<TrainingJobEvent>();
      TrainerHarness.stub(channel)
          .watchJob(WatchJobRequest.newBuilder().setJobId(cut).build())
          .forEachRemaining(events::add);
      assertThat(events.getLast().getState())
          .as(events.getLast().toString())
          .isEqualTo(JobState.SUCCEEDED);
      cutAdapter = events.getLast().getAdapter();
      channel.shutdownNow();
    }
    List<TrainingJobEvent> all =
        TrainerHarness.readAll(
                infra.kafka(),
                (String) props.get("trainer.events-topic"),
                TrainingJobEvent.parser())
            .stream()
            .filter(e -> e.getJobId().equals(cut))
            .toList();
    assertThat(all)
        .filteredOn(e -> e.getMessage().startsWith("loading base model"))
        .hasSize(2); // two starts

    // The version is a hash of the adapter's bytes: the resumed run stored the bit-identical
    // adapter, so it is the straight run's version, whose record (job "straight") it kept.
    assertThat(cutAdapter.getVersion()).isEqualTo(straightAdapter.getVersion());
    assertThat(cutAdapter).isEqualTo(straightAdapter);
    assertThat(straightAdapter.getJobId()).isEqualTo(straight);
    try (LoadedModel base = BuiltinModels.stories260K();
        LoraAdapter a =
            PeftAdapters.load(
                TrainerHarness.download(store, straightAdapter.getLocation()), base)) {
      assertThat(a.parameters().get(1).abs().sum().getFloat())
          .isPositive(); // B moved away from zero: it did train
    }
  }
}
