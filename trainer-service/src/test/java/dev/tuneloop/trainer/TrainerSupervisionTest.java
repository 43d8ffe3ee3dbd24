package dev.tuneloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.CancelJobRequest;
import dev.tuneloop.proto.v1.GetJobRequest;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.ListJobsRequest;
import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.RejectedTrainingRequest;
import dev.tuneloop.proto.v1.TrainerServiceGrpc;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import dev.tuneloop.trainer.testing.SampleData;
import dev.tuneloop.trainer.testing.TrainerHarness;
import io.grpc.ManagedChannel;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The trainer's supervision and bounds in the running service, on the real broker and S3 server
 * with the real stories260K: operator limits, poison requests dead-lettered, the worker loop
 * restarted, and a queued job visible and cancellable before it starts.
 */
@WithInfra
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerSupervisionTest {

  private Infra infra;
  private Map<String, Object> props;
  private EmbeddedServer server;
  private ManagedChannel channel;
  private TrainerServiceGrpc.TrainerServiceBlockingStub trainer;
  private String snapshot;

  @BeforeAll
  void start(Infra infra) throws Exception {
    this.infra = infra;
    snapshot =
        TrainerHarness.writeSnapshot(infra.objectStore(), "acme", "foobear", SampleData.foobear());
    props =
        new java.util.HashMap<>(
            TrainerHarness.properties(infra, "supervision", Files.createTempDirectory("trainer-")));
    props.put("trainer.rejected-topic", infra.topic("training.requests.rejected-supervision"));
    props.put("trainer.limits.max-lora-rank", 16);
    props.put("tuneloop.supervision.initial-backoff", "3s");
    server = TrainerHarness.start(infra, props);
    channel = TrainerHarness.channel(server);
    trainer = TrainerHarness.stub(channel);
  }

  @AfterAll
  void stop() {
    channel.shutdownNow();
    server.close();
  }

  private TrainingJobSpec.Builder spec(String adapter) {
    return TrainingJobSpec.newBuilder()
        .setTenant("acme")
        .setAdapterName(adapter)
        .setBaseModel("stories260K")
        .setDatasetSnapshot(snapshot);
  }

  private String topic(String key) {
    return (String) props.get(key);
  }

  private JobStatus job(String id) {
    return trainer.getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  @Test
  @Order(1)
  void requestsOverTheOperatorsLimitsAreRefusedAtSubmitNamingFieldAndSetting() {
    assertThatThrownBy(() -> trainer.submitJob(spec("big").setMaxSteps(200_000).build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("max_steps: 200000 is over this trainer's limit of 100000")
        .hasMessageContaining("trainer.limits.max-steps");
    assertThatThrownBy(
            () ->
                trainer.submitJob(
                    spec("big")
                        .setLora(LoraConfig.newBuilder().setLoraR(64))
                        .setNumEpochs(1000)
                        .setMaxSeqLen(65_536)
                        .build()))
        .hasMessageContaining("lora_r: 64 is over this trainer's limit of 16")
        .hasMessageContaining("trainer.limits.max-lora-rank")
        .hasMessageContaining("num_epochs: 1000")
        .hasMessageContaining("trainer.limits.max-epochs")
        .hasMessageContaining("max_seq_len: 65536")
        .hasMessageContaining("trainer.limits.max-seq-len");
  }

  @Test
  @Order(2)
  void poisonRequestsLandOnTheDeadLetterTopicWithAReasonAndTheWorkerGoesOn() throws Exception {
    String requests = topic("trainer.requests-topic");
    try (var bytes =
            new KafkaProducer<>(
                infra.kafka().producerProperties(),
                new StringSerializer(),
                new ByteArraySerializer());
        var specs =
            new KafkaProducer<>(
                infra.kafka().producerProperties(),
                new StringSerializer(),
                new ProtobufSerializer<TrainingJobSpec>())) {
      bytes
          .send(
              new ProducerRecord<>(
                  requests, "acme/garbage", "{not protobuf".getBytes(StandardCharsets.UTF_8)))
          .get();
      specs.send(
          new ProducerRecord<>(
              requests,
              "acme/poison",
              spec("poison")
                  .setJobId("poison-missing")
                  .setDatasetSnapshot("datasets/acme/gone/snapshots/0/manifest.json")
                  .build()));
      specs.send(
          new ProducerRecord<>(
              requests,
              "acme/poison",
              spec("poison")
                  .setJobId("poison-invalid")
                  .setLora(LoraConfig.newBuilder().setLoraR(0))
                  .build()));
      specs
          .send(
              new ProducerRecord<>(
                  requests,
                  "acme/poison",
                  spec("poison")
                      .setJobId("poison-rank")
                      .setLora(LoraConfig.newBuilder().setLoraR(64))
                      .build()))
          .get();
    }
    String rejectedTopic = topic("trainer.rejected-topic");
    await()
        .atMost(Duration.ofMinutes(2))
        .until(
            () ->
                TrainerHarness.readAll(
                            infra.kafka(), rejectedTopic, RejectedTrainingRequest.parser())
                        .size()
                    == 4);
    var rejected =
        TrainerHarness.readAll(infra.kafka(), rejectedTopic, RejectedTrainingRequest.parser());
    assertThat(rejected)
        .anySatisfy(
            r -> {
              assertThat(r.hasSpec()).isFalse();
              assertThat(r.getRawPayload().toStringUtf8()).isEqualTo("{not protobuf");
              assertThat(r.getReason()).contains("not a TrainingJobSpec");
            });
    Map<String, String> reasons = new java.util.HashMap<>();
    rejected.stream()
        .filter(RejectedTrainingRequest::hasSpec)
        .forEach(r -> reasons.put(r.getSpec().getJobId(), r.getReason()));
    assertThat(reasons.get("poison-missing"))
        .contains("dataset_snapshot: no dataset snapshot manifest at datasets/acme/gone/");
    assertThat(reasons.get("poison-invalid")).contains("lora_r: must be in [1, 1024], got 0");
    assertThat(reasons.get("poison-rank"))
        .contains("lora_r: 64 is over this trainer's limit of 16")
        .contains("trainer.limits.max-lora-rank");
    assertThat(rejected).allSatisfy(r -> assertThat(r.getSourceTopic()).isEqualTo(requests));
    for (String id : new String[] {"poison-missing", "poison-invalid", "poison-rank"}) {
      assertThat(job(id).getLatest().getState()).as(id).isEqualTo(JobState.FAILED);
    }
    assertThat(job("poison-rank").getLatest().getError()).contains("max-lora-rank");
    ServiceProbe.awaitHealth(server, 200, "\"training-worker\":{\"status\":\"UP\",\"restarts\":0");
  }

  @Test
  @Order(3)
  void theWorkerLoopIsRestartedAfterAnErrorAndHealthNamesItMeanwhile() throws Exception {
    var bodies =
        ServiceProbe.failLoopAndAwaitRestart(
            server, "training-worker", new OutOfMemoryError("injected"));
    assertThat(bodies.get(0)).contains("OutOfMemoryError: injected");
    ServiceProbe.failLoopAndAwaitRestart(
        server, "training-queue", new IllegalStateException("injected"));
  }

  @Test
  @Order(4)
  void aJobQueuedBehindARunningOneIsListedAndCanBeCancelledBeforeItStarts() throws Exception {
    String running =
        trainer
            .submitJob(
                spec("first")
                    .setMaxSteps(100_000)
                    .setMicroBatchSize(4)
                    .setEvalFraction(0)
                    .setCheckpointSteps(1000)
                    .build())
            .getSpec()
            .getJobId();
    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> job(running).getLatest().getState() == JobState.RUNNING);

    // The second job comes as curation's retrain policy sends it: straight to Kafka, no SubmitJob.
    RecordMetadata queued;
    try (var specs =
        new KafkaProducer<>(
            infra.kafka().producerProperties(),
            new StringSerializer(),
            new ProtobufSerializer<TrainingJobSpec>())) {
      queued =
          specs
              .send(
                  new ProducerRecord<>(
                      topic("trainer.requests-topic"),
                      "acme/second",
                      spec("second").setJobId("queued-second").build()))
              .get();
    }
    await()
        .atMost(Duration.ofMinutes(1))
        .untilAsserted(
            () ->
                assertThat(
                        trainer
                            .listJobs(
                                ListJobsRequest.newBuilder()
                                    .setTenant("acme")
                                    .addStates(JobState.QUEUED)
                                    .build())
                            .getJobsList())
                    .anyMatch(j -> j.getSpec().getJobId().equals("queued-second")));
    assertThat(
            trainer
                .cancelJob(CancelJobRequest.newBuilder().setJobId("queued-second").build())
                .getLatest()
                .getState())
        .isEqualTo(JobState.CANCELLED);
    trainer.cancelJob(CancelJobRequest.newBuilder().setJobId(running).build());

    // The worker gets to the second request, skips it and commits past it.
    var partition = new TopicPartition(queued.topic(), queued.partition());
    try (Admin admin = Admin.create(infra.kafka().adminProperties())) {
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () -> {
                var committed =
                    admin
                        .listConsumerGroupOffsets(topic("trainer.group"))
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .get(partition);
                return committed != null && committed.offset() > queued.offset();
              });
    }
    assertThat(job("queued-second").getLatest().getState()).isEqualTo(JobState.CANCELLED);
    assertThat(
            TrainerHarness.readAll(
                    infra.kafka(), topic("trainer.events-topic"), TrainingJobEvent.parser())
                .stream()
                .filter(e -> e.getJobId().equals("queued-second"))
                .map(TrainingJobEvent::getState))
        .containsExactly(JobState.QUEUED, JobState.CANCELLED);
  }
}
