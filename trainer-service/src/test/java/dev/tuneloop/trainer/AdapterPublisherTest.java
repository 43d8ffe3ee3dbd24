package dev.tuneloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.MessageLite;
import com.google.protobuf.util.JsonFormat;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.storage.Sha256;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.proto.v1.EvalScores;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.engine.LlamaLoraTrainable;
import dev.tuneloop.trainer.engine.TrainingConfig;
import dev.tuneloop.trainer.engine.TrainingResult;
import dev.tuneloop.trainer.engine.TrainingSpecs;
import dev.tuneloop.trainer.registry.AdapterVersions;
import dev.tuneloop.trainer.testing.SampleData;
import dev.tuneloop.trainer.testing.TrainerHarness;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Content-derived versions on the real S3 server and Kafka broker, with stories260K adapters. */
@WithInfra
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdapterPublisherTest {

  private Infra infra;
  private ObjectStore store;
  private LoadedModel base;
  private Producer<String, MessageLite> producer;
  private String topic;
  private AdapterPublisher publisher;
  private String snapshot;
  private SnapshotManifest manifest;

  @BeforeAll
  void start(Infra infra) throws Exception {
    this.infra = infra;
    store = infra.objectStore();
    base = BuiltinModels.stories260K();
    producer =
        new KafkaProducer<>(
            infra.kafka().producerProperties(),
            new StringSerializer(),
            new ProtobufSerializer<MessageLite>());
    topic = infra.topic("adapters.published-publisher");
    publisher =
        new AdapterPublisher(store, producer, topic, Files.createTempDirectory("publisher-"));
    snapshot =
        TrainerHarness.writeSnapshot(store, "acme", "foobear", SampleData.foobear().subList(0, 5));
    manifest = TrainingData.manifest(store, snapshot, "dataset_snapshot");
  }

  @AfterAll
  void stop() {
    producer.close();
    base.close();
  }

  private TrainingJobSpec spec(String adapter, String jobId) {
    return TrainingJobSpec.newBuilder()
        .setTenant("acme")
        .setAdapterName(adapter)
        .setJobId(jobId)
        .setBaseModel("stories260K")
        .setDatasetSnapshot(snapshot)
        .build();
  }

  private static TrainingResult result(double finalLoss) {
    return new TrainingResult(
        TrainingResult.Outcome.COMPLETED,
        10,
        10,
        false,
        finalLoss,
        2.0,
        1.5,
        10,
        1000,
        50.0,
        List.of(),
        List.of(),
        List.of());
  }

  /** Stores a freshly initialised adapter (LoRA A drawn from {@code seed}) for {@code spec}. */
  private AdapterPublished store(TrainingJobSpec spec, long seed, double finalLoss)
      throws Exception {
    TrainingConfig config = TrainingSpecs.toConfig(spec, base.config().maxSeqLen());
    LoraAdapter adapter =
        LlamaLoraTrainable.initialize(base.model(), config.lora(), seed).adapter();
    try (adapter) {
      return publisher.store(
          spec, config, adapter, base.id(), "chatml", manifest, result(finalLoss));
    }
  }

  @Test
  void theSameAdapterTwiceIsOneVersionThatKeepsTheFirstJobsRecord() throws Exception {
    AdapterPublished first = store(spec("same", "job-1"), 1, 0.5);
    AdapterPublished second = store(spec("same", "job-2"), 1, 0.25);

    assertThat(second).isEqualTo(first); // the first job's announcement, job id and metrics
    assertThat(first.getJobId()).isEqualTo("job-1");
    assertThat(first.getVersion()).matches("[0-9a-f]{16}");
    assertThat(first.getLocation()).isEqualTo("adapters/acme/same/" + first.getVersion() + "/");
    assertThat(store.list("adapters/acme/same/"))
        .extracting(o -> o.key().substring(first.getLocation().length()))
        .containsExactlyInAnyOrder(PeftAdapters.WEIGHTS, PeftAdapters.CONFIG, "training.json");

    // The version is SHA-256 over the stored weights then config, by its definition.
    var bytes = new ByteArrayOutputStream();
    bytes.write(store.get(first.getLocation() + PeftAdapters.WEIGHTS));
    bytes.write(store.get(first.getLocation() + PeftAdapters.CONFIG));
    assertThat(Sha256.hex(bytes.toByteArray())).startsWith(first.getVersion());

    String training =
        new String(store.get(first.getLocation() + "training.json"), StandardCharsets.UTF_8);
    assertThat(training).contains("\"job-1\"").doesNotContain("job-2");
    assertThat(new AdapterVersions(store).datasetManifest(first)).isEqualTo(snapshot);
  }

  @Test
  void aDifferentAdapterIsADifferentVersion() throws Exception {
    AdapterPublished one = store(spec("differ", "job-a"), 1, 0.5);
    AdapterPublished other = store(spec("differ", "job-b"), 2, 0.5);

    assertThat(other.getVersion()).isNotEqualTo(one.getVersion());
    assertThat(other.getJobId()).isEqualTo("job-b");
    assertThat(store.list("adapters/acme/differ/")).hasSize(6);
  }

  @Test
  void aCrashBetweenStoreAndAnnounceThenARerunAnnouncesTheVersionOnce() throws Exception {
    AdapterPublished stored = store(spec("crash", "job-c"), 3, 0.5);
    // ... the trainer dies here; the job runs again and trains the same adapter:
    TrainingJobSpec rerun = spec("crash", "job-c");
    TrainingConfig config = TrainingSpecs.toConfig(rerun, base.config().maxSeqLen());
    AdapterPublished published;
    try (LoraAdapter adapter =
        LlamaLoraTrainable.initialize(base.model(), config.lora(), 3).adapter()) {
      published =
          publisher.publish(rerun, config, adapter, base.id(), "chatml", manifest, result(0.5));
    }

    assertThat(published).isEqualTo(stored);
    List<ConsumerRecord<String, byte[]>> records = readAll(topic);
    assertThat(records)
        .filteredOn(r -> r.key().startsWith("acme/crash"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.key())
                  .isEqualTo(Topics.versionKey("acme", "crash", stored.getVersion()));
              assertThat(AdapterPublished.parseFrom(r.value())).isEqualTo(stored);
            });
  }

  @Test
  void theEvalReportIsStoredBesideTheVersionAsProtobufJsonWithProtoFieldNames() throws Exception {
    AdapterPublished version = store(spec("evaluated", "job-e"), 4, 0.5);
    AdapterVersions versions = new AdapterVersions(store);
    assertThat(versions.eval(version)).isEmpty();

    EvalReport report =
        EvalReport.newBuilder()
            .setTenant("acme")
            .setName("evaluated")
            .setVersion(version.getVersion())
            .setJobId("job-e")
            .setCandidate(EvalScores.newBuilder().setEvalLoss(0.75).setGoldenScore(0.5))
            .setEvalExamples(12)
            .build();
    publisher.storeEval(version, report);

    String json =
        new String(store.get(version.getLocation() + "eval.json"), StandardCharsets.UTF_8);
    assertThat(json).contains("\"eval_loss\"", "\"golden_score\"", "\"eval_examples\"");
    var parsed = EvalReport.newBuilder();
    JsonFormat.parser().merge(json, parsed);
    assertThat(parsed.build()).isEqualTo(report);
    assertThat(versions.eval(version)).contains(report);
  }

  private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    var props = infra.kafka().consumerProperties("unused");
    props.remove("group.id");
    try (var consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      var partitions =
          consumer.partitionsFor(topic, java.time.Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions);
      var out = new java.util.ArrayList<ConsumerRecord<String, byte[]>>();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        consumer.poll(java.time.Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }
}
