package dev.tuneloop.curation.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.MessageLite;
import dev.tuneloop.curation.policy.PolicyBook;
import dev.tuneloop.curation.policy.PolicyProperties;
import dev.tuneloop.curation.retrain.RetrainPlanner;
import dev.tuneloop.curation.stats.StatsBook;
import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.dataset.DatasetSnapshots;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.dataset.SnapshotRecord;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.RejectedExample;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The curation loop through the embedded broker and S3: exactly-once across a crash, and the
 * retrain policy.
 */
@WithInfra
class CurationKafkaTest {

  private static final TemplateProfiles TEMPLATES =
      new TemplateProfiles(Llama2cTokenizer.stories260K());

  private Infra infra;
  private KafkaSettings kafka;
  private CurationTopics topics;
  private KafkaProducer<String, MessageLite> producer;
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @BeforeEach
  void setUp(Infra infra) throws Exception {
    this.infra = infra;
    this.kafka = infra.kafka();
    topics =
        new CurationTopics(
            infra.topic("examples.raw"),
            infra.topic("examples.curated"),
            infra.topic("examples.rejected"),
            infra.topic("training.requests"),
            infra.topic("training.events"));
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topics.raw(), 3, (short) 1),
                  new NewTopic(topics.curated(), 3, (short) 1),
                  new NewTopic(topics.rejected(), 3, (short) 1),
                  new NewTopic(topics.trainingRequests(), 1, (short) 1),
                  new NewTopic(topics.trainingEvents(), 1, (short) 1)))
          .all()
          .get();
    }
    producer =
        new KafkaProducer<>(
            kafka.producerProperties(), new StringSerializer(), new ProtobufSerializer<>());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeLater.reversed()) {
      c.close();
    }
    producer.close();
  }

  private CurationWorker worker(PolicyBook policies, RetrainPlanner planner) {
    return worker(policies, planner, TEMPLATES);
  }

  private CurationWorker worker(
      PolicyBook policies, RetrainPlanner planner, TemplateProfiles templates) {
    CurationWorker w =
        new CurationWorker(
                new CurationWorker.Config(
                    kafka,
                    topics,
                    infra.group("curation"),
                    "curation-" + infra.id(),
                    Duration.ofSeconds(1)),
                policies,
                templates,
                new StatsBook(),
                planner,
                infra.objectStore(),
                Clock.systemUTC())
            .start();
    closeLater.add(w);
    return w;
  }

  private void send(Example e) {
    producer.send(new ProducerRecord<>(topics.raw(), e.getTenant() + "/" + e.getDataset(), e));
  }

  @Test
  void everyRawRecordIsCuratedOrRejectedExactlyOnceAcrossACrash() throws Exception {
    int total = 10_000;
    RawRecords gen = new RawRecords(7);
    List<Example> clean = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int malformed = 0;
    try (KafkaProducer<String, byte[]> bytes =
        new KafkaProducer<>(
            kafka.producerProperties(), new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < total; i++) {
        String dataset = "ds" + (i % 4);
        if (i % 33 == 5) {
          bytes.send(
              new ProducerRecord<>(
                  topics.raw(), "acme/" + dataset, new byte[] {0x0a, (byte) 0xff, 0x01, 0x02}));
          malformed++;
          continue;
        }
        Example e = gen.nextMixed("id-" + i, dataset, clean);
        if (e.getPair().getPrompt().startsWith("Question about")) {
          clean.add(e);
        }
        ids.add(e.getId());
        send(e);
      }
      bytes.flush();
    }
    producer.flush();

    PolicyBook policies = PolicyProperties.parse(Map.of("defaults.retrain.enabled", "false"));
    CurationWorker first = worker(policies, new RetrainPlanner());
    await().atMost(Duration.ofSeconds(90)).until(() -> first.decided() >= 2_500);
    first.halt(); // the producer dies mid-transaction if one is open; nothing is committed or
    // aborted
    CurationWorker second = worker(policies, new RetrainPlanner());

    OutputReader out = new OutputReader(kafka, topics, infra.group("verify"));
    closeLater.add(out);
    await().atMost(Duration.ofSeconds(120)).until(() -> out.poll() >= total);
    out.poll(); // anything beyond the expected total would show up here
    assertThat(out.curated.size() + out.rejected.size()).isEqualTo(total);

    List<String> decidedIds = new ArrayList<>();
    out.curated.forEach(c -> decidedIds.add(c.getExample().getId()));
    out.rejected.stream()
        .filter(RejectedExample::hasExample)
        .forEach(r -> decidedIds.add(r.getExample().getId()));
    assertThat(decidedIds).doesNotHaveDuplicates();
    assertThat(new HashSet<>(decidedIds)).isEqualTo(ids);
    List<RejectedExample> bad =
        out.rejected.stream().filter(RejectedExample::hasRawPayload).toList();
    assertThat(bad)
        .hasSize(malformed)
        .allSatisfy(
            r -> {
              assertThat(r.getRejections(0).getReason()).isEqualTo(RejectReason.MALFORMED_RECORD);
              assertThat(r.getRawPayload().toByteArray())
                  .containsExactly(0x0a, (byte) 0xff, 0x01, 0x02);
            });
    assertThat(bad.stream().map(r -> r.getSourcePartition() + ":" + r.getSourceOffset()).distinct())
        .hasSize(malformed);

    Map<RejectReason, Long> reasons = new HashMap<>();
    out.rejected.forEach(
        r -> r.getRejectionsList().forEach(x -> reasons.merge(x.getReason(), 1L, Long::sum)));
    assertThat(reasons.keySet())
        .contains(
            RejectReason.EXACT_DUPLICATE,
            RejectReason.REFUSAL,
            RejectReason.EMPTY_FIELD,
            RejectReason.TEMPLATE_INJECTION,
            RejectReason.TOO_LONG,
            RejectReason.MALFORMED_RECORD);
    assertThat(out.curated)
        .anySatisfy(c -> assertThat(c.getNotesList()).contains("pii.email redacted in message 0"));

    // The restarted worker's statistics (rebuilt from the topics, then updated) agree with what is
    // on the topics.
    await().atMost(Duration.ofSeconds(30)).until(() -> second.decided() + first.decided() >= total);
    long curatedStats = 0;
    long rejectedStats = 0;
    for (int d = 0; d < 4; d++) {
      var s = second.stats().stats("acme", "ds" + d).build();
      curatedStats += s.getCurated();
      rejectedStats += s.getRejected();
    }
    assertThat(curatedStats).isEqualTo(out.curated.size());
    assertThat(rejectedStats).isEqualTo(out.rejected.size());
  }

  @Test
  void faultInTheMiddleOfABatchIsRetriedFromTheLastCommitWithoutDuplicates() throws Exception {
    RawRecords gen = new RawRecords(3);
    int total = 1_500;
    for (int i = 0; i < total; i++) {
      send(
          i == 700
              ? gen.pair(
                  "id-700",
                  "ds0",
                  "POISON question about returns",
                  "Returns are free within the window.")
              : gen.clean("id-" + i, "ds0"));
    }
    producer.flush();
    FailingOnceTokenizer tokenizer =
        new FailingOnceTokenizer(Llama2cTokenizer.stories260K(), "POISON");
    CurationWorker worker =
        worker(
            PolicyProperties.parse(Map.of("defaults.retrain.enabled", "false")),
            new RetrainPlanner(),
            new TemplateProfiles(tokenizer));
    OutputReader out = new OutputReader(kafka, topics, infra.group("verify"));
    closeLater.add(out);
    await().atMost(Duration.ofSeconds(120)).until(() -> out.poll() >= total);
    out.poll();
    assertThat(tokenizer.failed()).isTrue();
    List<String> decided = new ArrayList<>();
    out.curated.forEach(c -> decided.add(c.getExample().getId()));
    out.rejected.forEach(r -> decided.add(r.getExample().getId()));
    assertThat(decided).hasSize(total).doesNotHaveDuplicates();
    assertThat(out.curated).anySatisfy(c -> assertThat(c.getExample().getId()).isEqualTo("id-700"));
    // The session that failed committed nothing of its open batch; the new session's stats were
    // rebuilt, not added to.
    assertThat(worker.stats().stats("acme", "ds0").build().getCurated())
        .isEqualTo(out.curated.size());
  }

  @Test
  void retrainPolicyFiresOnceAtTheThresholdAndNeverWhileTheJobRuns() throws Exception {
    PolicyBook policies =
        PolicyProperties.parse(
            Map.of(
                "datasets.acme/faq.retrain.min-total", "50",
                "datasets.acme/faq.retrain.min-new", "40",
                "datasets.acme/faq.retrain.adapter", "faq-bot",
                "datasets.acme/faq.training.lora-r", "4"));
    RetrainPlanner planner = new RetrainPlanner();
    CurationWorker worker = worker(policies, planner);
    closeLater.add(
        new dev.tuneloop.curation.retrain.JobTracker(kafka, topics.trainingEvents(), planner)
            .start());
    RawRecords gen = new RawRecords(11);
    for (int i = 0; i < 60; i++) {
      send(gen.clean("faq-" + i, "faq"));
    }
    producer.flush();
    RequestReader requests =
        new RequestReader(kafka, topics.trainingRequests(), infra.group("requests"));
    closeLater.add(requests);
    await().atMost(Duration.ofSeconds(60)).until(() -> requests.poll() >= 1);

    TrainingJobSpec spec = requests.specs.getFirst();
    assertThat(spec.getAdapterName()).isEqualTo("faq-bot");
    assertThat(spec.getTenant()).isEqualTo("acme");
    assertThat(spec.getLora().getLoraR()).isEqualTo(4);
    assertThat(spec.getRequestedBy()).isEqualTo(RetrainPlanner.REQUESTED_BY);
    List<SnapshotRecord> snapshot =
        DatasetSnapshots.readAll(infra.objectStore(), spec.getDatasetSnapshot());
    assertThat(snapshot.size()).isBetween(50, 60);
    assertThat(snapshot.getFirst().messages())
        .extracting(SnapshotRecord.Message::role)
        .containsExactly("user", "assistant");

    // 50 more: enough new examples, but the job has not finished, so no second request; a restart
    // changes nothing.
    for (int i = 60; i < 110; i++) {
      send(gen.clean("faq-" + i, "faq"));
    }
    producer.flush();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> worker.stats().curatedCount("acme/faq") >= 110);
    worker.close();
    RetrainPlanner planner2 = new RetrainPlanner();
    CurationWorker restarted = worker(policies, planner2);
    closeLater.add(
        new dev.tuneloop.curation.retrain.JobTracker(kafka, topics.trainingEvents(), planner2)
            .start());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> planner2.lastRequest("acme/faq").isPresent());
    send(gen.clean("faq-extra", "faq"));
    producer.flush();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> restarted.stats().curatedCount("acme/faq") >= 111);
    assertThat(requests.poll()).isEqualTo(1);

    // The trainer reports the job done: the examples waiting since then trigger exactly one more
    // request (the
    // periodic check covers datasets with no new traffic).
    producer.send(
        new ProducerRecord<>(
            topics.trainingEvents(),
            spec.getJobId(),
            TrainingJobEvent.newBuilder()
                .setJobId(spec.getJobId())
                .setTenant("acme")
                .setAdapterName("faq-bot")
                .setState(JobState.SUCCEEDED)
                .build()));
    producer.flush();
    await().atMost(Duration.ofSeconds(60)).until(() -> requests.poll() >= 2);
    assertThat(requests.poll()).isEqualTo(2);
    assertThat(requests.specs.get(1).getDatasetSnapshot()).isNotEqualTo(spec.getDatasetSnapshot());
    // The second snapshot: what arrived since the first, a quarter of the earlier ones replayed
    // and the earlier eval split (retrain.replay-share etc. at their defaults).
    SnapshotManifest first =
        DatasetSnapshots.readManifest(infra.objectStore(), spec.getDatasetSnapshot());
    SnapshotManifest second =
        DatasetSnapshots.readManifest(
            infra.objectStore(), requests.specs.get(1).getDatasetSnapshot());
    long earlier = first.composition().datasetRecords();
    assertThat(second.composition().datasetRecords()).isEqualTo(111);
    assertThat(second.composition().earlierRecords()).isEqualTo(earlier);
    assertThat(second.composition().newRecords()).isEqualTo(111 - earlier);
    assertThat(second.composition().replayRecords()).isEqualTo((long) Math.ceil(earlier * 0.25));
    assertThat(second.count())
        .isEqualTo(
            second.composition().newRecords()
                + second.composition().replayRecords()
                + second.composition().evalRecords());
    assertThat(requests.specs).allSatisfy(s -> assertThat(s.getInitFrom()).isEqualTo("production"));
  }

  /** Reads curated and rejected output (read_committed), accumulating. */
  static final class OutputReader implements AutoCloseable {
    final List<CuratedExample> curated = new ArrayList<>();
    final List<RejectedExample> rejected = new ArrayList<>();
    private final org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> consumer;
    private final CurationTopics topics;

    OutputReader(KafkaSettings kafka, CurationTopics topics, String group) {
      this.topics = topics;
      consumer =
          new org.apache.kafka.clients.consumer.KafkaConsumer<>(
              kafka.consumerProperties(group),
              new org.apache.kafka.common.serialization.StringDeserializer(),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      consumer.subscribe(List.of(topics.curated(), topics.rejected()));
    }

    int poll() throws Exception {
      for (var r : consumer.poll(Duration.ofMillis(500))) {
        if (r.topic().equals(topics.curated())) {
          curated.add(CuratedExample.parseFrom(r.value()));
        } else {
          rejected.add(RejectedExample.parseFrom(r.value()));
        }
      }
      return curated.size() + rejected.size();
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  static final class RequestReader implements AutoCloseable {
    final List<TrainingJobSpec> specs = new ArrayList<>();
    private final org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]> consumer;

    RequestReader(KafkaSettings kafka, String topic, String group) {
      consumer =
          new org.apache.kafka.clients.consumer.KafkaConsumer<>(
              kafka.consumerProperties(group),
              new org.apache.kafka.common.serialization.StringDeserializer(),
              new org.apache.kafka.common.serialization.ByteArrayDeserializer());
      consumer.subscribe(List.of(topic));
    }

    int poll() throws Exception {
      for (var r : consumer.poll(Duration.ofMillis(500))) {
        specs.add(TrainingJobSpec.parseFrom(r.value()));
      }
      return specs.size();
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
