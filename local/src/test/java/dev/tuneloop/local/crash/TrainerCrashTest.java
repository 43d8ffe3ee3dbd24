package dev.tuneloop.local.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.platform.dataset.DatasetSnapshots;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.dataset.SnapshotRecord;
import dev.tuneloop.platform.dataset.SnapshotWriter;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.OptimizerConfig;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * trainer-service SIGKILLed mid-job, after it wrote a checkpoint: restarted, it picks the
 * uncommitted request up again, resumes from that checkpoint (not from step 0), and publishes the
 * very adapter, byte for byte, that the same job run without a crash published.
 */
class TrainerCrashTest {
  private static final int MAX_STEPS = 60;
  private static final int CHECKPOINT_STEPS = 5;

  @Test
  void killedAfterACheckpointItResumesFromItToTheUninterruptedAdapter(@TempDir Path dir)
      throws Exception {
    Path root = dir.toAbsolutePath();
    Map<String, String> trainer =
        Map.of(
            "trainer.work-dir",
            root.resolve("trainer-work").toString(),
            "trainer.progress-interval",
            "100ms");
    try (CrashCluster cluster = CrashCluster.embedded(root);
        Clients clients = new Clients()) {
      ObjectStore store = cluster.store();
      TrainingJobSpec.Builder spec = spec(writeSnapshot(store));
      cluster.start("trainer", trainer);
      String api = cluster.grpcTarget("trainer");

      clients.trainer(api, Duration.ofMinutes(1)).submitJob(spec.setJobId("straight").build());
      awaitState(cluster, "straight", JobState.SUCCEEDED);

      clients.trainer(api, Duration.ofMinutes(1)).submitJob(spec.setJobId("crashed").build());
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> store.exists("checkpoints/crashed/latest"));
      assertThat(cluster.kill("trainer")).isEqualTo(137); // SIGKILL: no shutdown checkpoint
      long checkpointed = checkpointStep(store, "crashed");
      assertThat(events(cluster, "crashed"))
          .as("killed before the job finished")
          .noneMatch(e -> e.getState() == JobState.SUCCEEDED);
      assertThat(checkpointed).isPositive().isLessThan(MAX_STEPS);

      cluster.start("trainer", trainer);
      awaitState(cluster, "crashed", JobState.SUCCEEDED);

      List<TrainingJobEvent> events = events(cluster, "crashed");
      assertThat(events)
          .filteredOn(e -> e.getMessage().startsWith("loading base model"))
          .as("started twice: before and after the crash")
          .hasSize(2);
      int restart = lastIndexOfLoading(events);
      List<Long> stepsAfterRestart =
          events.subList(restart, events.size()).stream()
              .filter(e -> e.getState() == JobState.RUNNING && e.getStep() > 0)
              .map(TrainingJobEvent::getStep)
              .toList();
      assertThat(stepsAfterRestart)
          .as("the first step after the restart follows the checkpoint")
          .first()
          .isEqualTo(checkpointed + 1);
      assertThat(stepsAfterRestart).allMatch(step -> step > checkpointed);
      assertThat(events.getLast().getState()).isEqualTo(JobState.SUCCEEDED);
      assertThat(events.getLast().getStep()).isEqualTo(MAX_STEPS);

      // Versions are content hashes of the adapter's files: the same version is the same adapter.
      AdapterPublished straight = events(cluster, "straight").getLast().getAdapter();
      AdapterPublished crashed = events.getLast().getAdapter();
      assertThat(crashed.getVersion())
          .as("the adapter of the uninterrupted run")
          .isEqualTo(straight.getVersion());
      assertThat(store.get(crashed.getLocation() + "adapter_model.safetensors")).isNotEmpty();
      assertThat(store.exists("checkpoints/crashed/latest")).as("cleaned up").isFalse();
      System.out.printf(
          "trainer crash: killed after the checkpoint of step %d; resumed at step %d of %d%n",
          checkpointed, stepsAfterRestart.getFirst(), MAX_STEPS);
    }
  }

  /** stories260K, few steps, no dropout; a checkpoint every {@value #CHECKPOINT_STEPS} steps. */
  private static TrainingJobSpec.Builder spec(String snapshot) {
    return TrainingJobSpec.newBuilder()
        .setTenant("acme")
        .setAdapterName("foobear")
        .setBaseModel("stories260K")
        .setDatasetSnapshot(snapshot)
        .setSeed(7)
        .setLora(LoraConfig.newBuilder().setLoraR(4).setLoraDropout(0f))
        .setOptimizer(OptimizerConfig.newBuilder().setLearningRate(1e-2f))
        .setMicroBatchSize(8)
        .setMaxSteps(MAX_STEPS)
        .setEvalSteps(20)
        .setCheckpointSteps(CHECKPOINT_STEPS);
  }

  /** The first 64 sample conversations (samples/foobear.jsonl) as a dataset snapshot. */
  private static String writeSnapshot(ObjectStore store) throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<String> lines =
        Files.readAllLines(Path.of("..", "samples", "foobear.jsonl")).stream()
            .filter(line -> !line.isBlank())
            .limit(64)
            .toList();
    try (var writer = new SnapshotWriter(store, "acme", "foobear", 100)) {
      for (int i = 0; i < lines.size(); i++) {
        JsonNode pair = json.readTree(lines.get(i));
        writer.add(
            new SnapshotRecord(
                "ex-" + i,
                List.of(
                    new SnapshotRecord.Message("user", pair.get("prompt").asText()),
                    new SnapshotRecord.Message("assistant", pair.get("response").asText())),
                Map.of(),
                0,
                "h" + i));
      }
      SnapshotManifest manifest =
          writer.finish(new SnapshotManifest.Source(Topics.EXAMPLES_CURATED, Map.of()), 1);
      return DatasetSnapshots.manifestKey("acme", "foobear", manifest.snapshotId());
    }
  }

  private static void awaitState(CrashCluster cluster, String job, JobState state) {
    await()
        .atMost(Duration.ofMinutes(5))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              List<TrainingJobEvent> events = events(cluster, job);
              if (!events.isEmpty() && events.getLast().getState() == JobState.FAILED) {
                throw new AssertionError("job " + job + " failed: " + events.getLast().getError());
              }
              return !events.isEmpty() && events.getLast().getState() == state;
            });
  }

  private static List<TrainingJobEvent> events(CrashCluster cluster, String job) {
    return TopicReader.readAll(cluster.kafka(), Topics.TRAINING_EVENTS, TrainingJobEvent.parser())
        .stream()
        .filter(e -> e.getJobId().equals(job))
        .toList();
  }

  /** The step of the checkpoint {@code checkpoints/{job}/latest} points at ({@code step-N/}). */
  private static long checkpointStep(ObjectStore store, String job) {
    String folder = new String(store.get("checkpoints/" + job + "/latest"), StandardCharsets.UTF_8);
    String name = folder.substring(folder.lastIndexOf("step-") + 5).replace("/", "").strip();
    return Long.parseLong(name);
  }

  private static int lastIndexOfLoading(List<TrainingJobEvent> events) {
    for (int i = events.size() - 1; i >= 0; i--) {
      if (events.get(i).getMessage().startsWith("loading base model")) return i;
    }
    return -1;
  }
}
