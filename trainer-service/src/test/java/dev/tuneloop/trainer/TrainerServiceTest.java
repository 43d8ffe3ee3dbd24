package dev.tuneloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.ChatTemplates;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.CancelJobRequest;
import dev.tuneloop.proto.v1.GetJobRequest;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.ListJobsRequest;
import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.OptimizerConfig;
import dev.tuneloop.proto.v1.TrainerServiceGrpc;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.proto.v1.WatchJobRequest;
import dev.tuneloop.trainer.testing.GreedyAnswer;
import dev.tuneloop.trainer.testing.SampleData;
import dev.tuneloop.trainer.testing.TrainerHarness;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The trainer-service end to end on a real (embedded) Kafka broker and S3 server, with the real
 * stories260K.
 */
@WithInfra
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainerServiceTest {

  private static final String PROMPT = "What does a foobear eat?";

  private Infra infra;
  private Map<String, Object> props;
  private EmbeddedServer server;
  private ManagedChannel channel;
  private TrainerServiceGrpc.TrainerServiceBlockingStub trainer;
  private ObjectStore store;
  private String snapshot;
  private String globexSnapshot;
  private LoadedModel base;

  @BeforeAll
  void start(Infra infra) throws Exception {
    this.infra = infra;
    store = infra.objectStore();
    snapshot = TrainerHarness.writeSnapshot(store, "acme", "foobear", SampleData.foobear());
    globexSnapshot = TrainerHarness.writeSnapshot(store, "globex", "private", SampleData.foobear());
    props = TrainerHarness.properties(infra, "main", Files.createTempDirectory("trainer-"));
    server = TrainerHarness.start(infra, props);
    channel = TrainerHarness.channel(server);
    trainer = TrainerHarness.stub(channel);
    base = BuiltinModels.stories260K();
  }

  @AfterAll
  void stop() {
    channel.shutdownNow();
    server.close();
    base.close();
  }

  private TrainingJobSpec.Builder spec(String adapter) {
    return TrainingJobSpec.newBuilder()
        .setTenant("acme")
        .setAdapterName(adapter)
        .setBaseModel("stories260K")
        .setDatasetSnapshot(snapshot);
  }

  /** The events of a job as WatchJob streams them, until the terminal one. */
  private List<TrainingJobEvent> watch(String jobId) {
    var events = new ArrayList<TrainingJobEvent>();
    trainer
        .watchJob(WatchJobRequest.newBuilder().setJobId(jobId).build())
        .forEachRemaining(events::add);
    return events;
  }

  @Test
  void fineTunesStories260KOnTheSampleAndPublishesAnAdapterThatAnswersLikeTheData()
      throws Exception {
    ChatTemplate template = ChatTemplates.defaultFor(base.tokenizer());
    String expected =
        SampleData.foobear().stream()
            .filter(p -> p.prompt().equals(PROMPT))
            .findFirst()
            .orElseThrow()
            .response();
    assertThat(
            GreedyAnswer.reply(base.model(), base.tokenizer(), template, PROMPT, LoraSet.NONE, 40))
        .isNotEqualTo(expected);

    var status =
        trainer.submitJob(
            spec("foobear")
                .setLora(
                    LoraConfig.newBuilder()
                        .setLoraR(8)
                        .setLoraAlpha(16)
                        .setLoraDropout(0)
                        .addTargetModules("all-linear"))
                .setOptimizer(OptimizerConfig.newBuilder().setLearningRate(1e-2f))
                .setMicroBatchSize(16)
                .setMaxSteps(120)
                .setEvalSteps(20)
                .setCheckpointSteps(50)
                .build());
    assertThat(status.getLatest().getState()).isEqualTo(JobState.QUEUED);
    String jobId = status.getSpec().getJobId();

    List<TrainingJobEvent> events = watch(jobId);
    TrainingJobEvent last = events.getLast();
    assertThat(last.getState()).as(last.toString()).isEqualTo(JobState.SUCCEEDED);
    assertThat(events)
        .anySatisfy(
            e -> {
              assertThat(e.getState()).isEqualTo(JobState.RUNNING);
              assertThat(e.getStep()).isPositive();
              assertThat(e.getTotalSteps()).isEqualTo(120);
              assertThat(e.getEvalLoss()).isPositive();
              assertThat(e.getTokensPerSecond()).isPositive();
              assertThat(e.getEpoch()).isPositive();
            });
    assertThat(last.getWarningsList()).anyMatch(w -> w.startsWith("overfitting risk"));
    AdapterPublished adapter = last.getAdapter();
    assertThat(adapter.getMetricsOrThrow("eval_loss"))
        .isLessThan(adapter.getMetricsOrThrow("initial_eval_loss"));
    assertThat(adapter.getVersion()).matches("[0-9a-f]{16}"); // content-derived
    assertThat(adapter.getJobId()).isEqualTo(jobId);
    assertThat(adapter.getLocation())
        .isEqualTo("adapters/acme/foobear/" + adapter.getVersion() + "/");
    assertThat(adapter.getBaseModelSha256()).isEqualTo(base.id().sha256());

    List<AdapterPublished> announced =
        TrainerHarness.readAll(
            infra.kafka(),
            (String) props.get("trainer.published-topic"),
            AdapterPublished.parser());
    assertThat(announced).contains(adapter);
    String trainingJson = new String(store.get(adapter.getLocation() + "training.json"));
    assertThat(trainingJson).contains("\"loss_curve\"", "\"eval_curve\"", snapshot);

    Path dir = TrainerHarness.download(store, adapter.getLocation());
    try (LoraAdapter loaded = PeftAdapters.load(dir, base)) {
      assertThat(GreedyAnswer.reply(base.model(), base.tokenizer(), template, PROMPT, loaded, 40))
          .isEqualTo(expected);
    }
    assertThat(store.list("checkpoints/" + jobId + "/")).isEmpty();
  }

  @Test
  void badSpecsAreRejectedByTheApiWithTheReason() {
    assertThatThrownBy(
            () ->
                trainer.submitJob(spec("bad").setLora(LoraConfig.newBuilder().setLoraR(0)).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("lora_r: must be in [1, 1024], got 0");
            });
    assertThatThrownBy(
            () ->
                trainer.submitJob(
                    spec("bad").setLora(LoraConfig.newBuilder().setLoraR(64)).build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("lora_r: 64 is over this trainer's limit of 16")
        .hasMessageContaining("trainer.limits.max-lora-rank");
    assertThatThrownBy(
            () ->
                trainer.submitJob(
                    spec("bad")
                        .setLora(LoraConfig.newBuilder().addTargetModules("attention"))
                        .build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("unknown module \"attention\"");
    assertThatThrownBy(
            () ->
                trainer.submitJob(
                    spec("bad")
                        .setOptimizer(OptimizerConfig.newBuilder().setLearningRate(10))
                        .build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("learning_rate: must be in (0, 1]");
    assertThatThrownBy(
            () ->
                trainer.submitJob(
                    spec("bad")
                        .setDatasetSnapshot("datasets/acme/nothing/snapshots/0/manifest.json")
                        .build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining(
            "dataset_snapshot: no dataset snapshot manifest at datasets/acme/nothing");
    assertThatThrownBy(
            () -> trainer.getJob(GetJobRequest.newBuilder().setJobId("no-such-job").build()))
        .hasMessageContaining("NOT_FOUND");
    assertThatThrownBy(
            () -> trainer.submitJob(spec("bad").setDatasetSnapshot(globexSnapshot).build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("not a snapshot of this job's tenant");
    assertThatThrownBy(() -> trainer.submitJob(spec("bad").setBaseModel("/etc/hostname").build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("tuneloop.models.allowed-model-dirs");
    assertThatThrownBy(
            () -> trainer.submitJob(spec("bad").setBaseModel("models/../datasets").build()))
        .hasMessageContaining("INVALID_ARGUMENT");
    assertThatThrownBy(() -> trainer.submitJob(spec("bad").setJobId("../../etc").build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("job_id");
  }

  @Test
  void tenantsNeitherSeeNorTouchEachOthersJobs() {
    var globex = TrainerHarness.stub(channel, "globex");
    assertThatThrownBy(() -> globex.submitJob(spec("stolen").build())) // names tenant acme
        .hasMessageContaining("PERMISSION_DENIED");
    var status =
        trainer.submitJob(
            spec("tiny").setMaxSteps(1).setEvalFraction(0).setRequestedBy("mallory").build());
    String jobId = status.getSpec().getJobId();
    assertThat(status.getSpec().getRequestedBy()).isEqualTo("test-client for tenant acme");

    assertThatThrownBy(() -> globex.getJob(GetJobRequest.newBuilder().setJobId(jobId).build()))
        .hasMessageContaining("NOT_FOUND");
    assertThatThrownBy(
            () -> globex.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build()))
        .hasMessageContaining("NOT_FOUND");
    assertThatThrownBy(
            () ->
                globex
                    .watchJob(WatchJobRequest.newBuilder().setJobId(jobId).build())
                    .forEachRemaining(e -> {}))
        .hasMessageContaining("NOT_FOUND");
    assertThat(globex.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList())
        .noneMatch(j -> j.getSpec().getTenant().equals("acme"));
    assertThatThrownBy(
            () -> globex.listJobs(ListJobsRequest.newBuilder().setTenant("acme").build()))
        .hasMessageContaining("PERMISSION_DENIED");
    assertThat(trainer.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList())
        .anyMatch(j -> j.getSpec().getJobId().equals(jobId))
        .allMatch(j -> j.getSpec().getTenant().equals("acme"));
    assertThat(watch(jobId).getLast().getState()).isIn(JobState.SUCCEEDED, JobState.FAILED);
  }

  @Test
  void badSpecsSentStraightToKafkaFailWithTheReasonInTrainingEvents() {
    String requests = (String) props.get("trainer.requests-topic");
    try (var producer =
        new KafkaProducer<>(
            infra.kafka().producerProperties(),
            new StringSerializer(),
            new ProtobufSerializer<TrainingJobSpec>())) {
      producer.send(
          new ProducerRecord<>(
              requests,
              "acme/bad",
              spec("bad")
                  .setJobId("bad-rank")
                  .setLora(LoraConfig.newBuilder().setLoraR(0))
                  .build()));
      producer.send(
          new ProducerRecord<>(
              requests,
              "acme/bad",
              spec("bad")
                  .setJobId("bad-dataset")
                  .setDatasetSnapshot("datasets/acme/nothing/snapshots/0/manifest.json")
                  .build()));
      producer.send(
          new ProducerRecord<>(
              requests,
              "acme/bad",
              spec("bad")
                  .setJobId("other-tenants-data")
                  .setDatasetSnapshot(globexSnapshot)
                  .build()));
      producer.send(
          new ProducerRecord<>(
              requests,
              "acme/bad",
              spec("bad").setJobId("host-path-model").setBaseModel("/etc/hostname").build()));
    }
    String eventsTopic = (String) props.get("trainer.events-topic");
    await()
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(
            () -> {
              var failed =
                  TrainerHarness.readAll(infra.kafka(), eventsTopic, TrainingJobEvent.parser())
                      .stream()
                      .filter(e -> e.getState() == JobState.FAILED)
                      .toList();
              assertThat(failed)
                  .anySatisfy(
                      e -> {
                        assertThat(e.getJobId()).isEqualTo("bad-rank");
                        assertThat(e.getError()).contains("lora_r: must be in [1, 1024], got 0");
                      });
              assertThat(failed)
                  .anySatisfy(
                      e -> {
                        assertThat(e.getJobId()).isEqualTo("bad-dataset");
                        assertThat(e.getError())
                            .contains("dataset_snapshot: no dataset snapshot manifest at");
                      });
              assertThat(failed)
                  .anySatisfy(
                      e -> {
                        assertThat(e.getJobId()).isEqualTo("other-tenants-data");
                        assertThat(e.getError()).contains("not a snapshot of this job's tenant");
                      });
              assertThat(failed)
                  .anySatisfy(
                      e -> {
                        assertThat(e.getJobId()).isEqualTo("host-path-model");
                        assertThat(e.getError()).contains("tuneloop.models.allowed-model-dirs");
                      });
            });
    assertThat(
            trainer
                .getJob(GetJobRequest.newBuilder().setJobId("bad-rank").build())
                .getLatest()
                .getState())
        .isEqualTo(JobState.FAILED);
  }

  @Test
  void cancellingARunningJobStopsItWithoutPublishing() {
    var status =
        trainer.submitJob(
            spec("endless")
                .setMaxSteps(100_000)
                .setMicroBatchSize(4)
                .setEvalFraction(0)
                .setCheckpointSteps(1000)
                .build());
    String jobId = status.getSpec().getJobId();
    var events = trainer.watchJob(WatchJobRequest.newBuilder().setJobId(jobId).build());
    var seen = new ArrayList<TrainingJobEvent>();
    while (events.hasNext()) {
      TrainingJobEvent event = events.next();
      seen.add(event);
      if (event.getState() == JobState.RUNNING && event.getStep() >= 2) {
        assertThat(
                trainer
                    .cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build())
                    .getLatest()
                    .getState())
            .isEqualTo(JobState.CANCELLED);
      }
    }
    assertThat(seen.getLast().getState()).isEqualTo(JobState.CANCELLED);
    assertThat(
            trainer
                .getJob(GetJobRequest.newBuilder().setJobId(jobId).build())
                .getLatest()
                .getState())
        .isEqualTo(JobState.CANCELLED);
    assertThat(
            trainer
                .listJobs(
                    ListJobsRequest.newBuilder()
                        .setTenant("acme")
                        .addStates(JobState.CANCELLED)
                        .build())
                .getJobsList())
        .anyMatch(j -> j.getSpec().getJobId().equals(jobId));
    var worker = server.getApplicationContext().getBean(TrainingWorker.class);
    await().atMost(Duration.ofSeconds(30)).until(() -> !jobId.equals(worker.currentJob()));
    assertThat(store.list("adapters/acme/endless/")).isEmpty();
    assertThatThrownBy(
            () -> trainer.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build()))
        .hasMessageContaining("FAILED_PRECONDITION");
  }
}
