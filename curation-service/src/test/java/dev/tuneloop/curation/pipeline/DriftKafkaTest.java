package dev.tuneloop.curation.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.MessageLite;
import dev.tuneloop.curation.policy.PolicyBook;
import dev.tuneloop.curation.policy.PolicyProperties;
import dev.tuneloop.curation.retrain.DriftBook;
import dev.tuneloop.curation.retrain.DriftPrompts;
import dev.tuneloop.curation.retrain.JobTracker;
import dev.tuneloop.curation.retrain.RetrainPlanner;
import dev.tuneloop.curation.stats.StatsBook;
import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.dataset.DatasetSnapshots;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The drift trigger through the worker, the embedded broker and S3: more of the same prompts does
 * not retrain, a shifted prompt distribution does (with min-new far away), and a restart rebuilds
 * the drift windows from the topics.
 */
@WithInfra
class DriftKafkaTest {

  private static final TemplateProfiles TEMPLATES =
      new TemplateProfiles(Llama2cTokenizer.stories260K());

  /** Volume trigger out of reach: only drift can ask for the second retrain. */
  private static final Map<String, String> DRIFT_ONLY =
      Map.of(
          "datasets.acme/faq.retrain.min-total", "50",
          "datasets.acme/faq.retrain.min-new", "10000",
          "datasets.acme/faq.retrain.drift-threshold", "0.2",
          "datasets.acme/faq.retrain.drift-min-new", "20");

  private Infra infra;
  private KafkaSettings kafka;
  private CurationTopics topics;
  private KafkaProducer<String, MessageLite> producer;
  private final List<AutoCloseable> closeLater = new ArrayList<>();
  private final DriftPrompts prompts = new DriftPrompts(21);
  private final RawRecords words = new RawRecords(22);
  private int sent;

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
                  new NewTopic(topics.raw(), 2, (short) 1),
                  new NewTopic(topics.curated(), 2, (short) 1),
                  new NewTopic(topics.rejected(), 2, (short) 1),
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

  /** A worker with its job tracker; closing the worker leaves the tracker to tearDown. */
  private CurationWorker worker(Map<String, String> policy, RetrainPlanner planner) {
    CurationWorker w =
        new CurationWorker(
                new CurationWorker.Config(
                    kafka,
                    topics,
                    infra.group("curation"),
                    "curation-" + infra.id(),
                    Duration.ofSeconds(1)),
                PolicyProperties.parse(policy),
                TEMPLATES,
                new StatsBook(),
                planner,
                infra.objectStore(),
                Clock.systemUTC())
            .start();
    closeLater.add(w);
    closeLater.add(new JobTracker(kafka, topics.trainingEvents(), planner).start());
    return w;
  }

  private void send(int n, boolean shifted) {
    for (int i = 0; i < n; i++) {
      String prompt = shifted ? prompts.cooking() : prompts.support();
      Example e =
          words.pair("faq-" + sent++, "faq", prompt, "Here is what to do: " + words.sentence(14));
      producer.send(new ProducerRecord<>(topics.raw(), "acme/faq", e));
    }
    producer.flush();
  }

  private void succeeded(TrainingJobSpec spec) {
    producer.send(
        new ProducerRecord<>(
            topics.trainingEvents(),
            spec.getJobId(),
            TrainingJobEvent.newBuilder()
                .setJobId(spec.getJobId())
                .setTenant("acme")
                .setAdapterName("faq")
                .setState(JobState.SUCCEEDED)
                .build()));
    producer.flush();
  }

  @Test
  void shiftedPromptsTriggerARetrainMoreOfTheSameDoesNotAndARestartKeepsTheDriftState()
      throws Exception {
    CurationKafkaTest.RequestReader requests =
        new CurationKafkaTest.RequestReader(kafka, topics.trainingRequests(), infra.group("req"));
    closeLater.add(requests);

    // 1. The first retrain, by volume, on support questions; the trainer reports it done.
    CurationWorker first =
        worker(
            Map.of(
                "datasets.acme/faq.retrain.min-total", "50",
                "datasets.acme/faq.retrain.min-new", "50"),
            new RetrainPlanner());
    send(70, false);
    await().atMost(Duration.ofSeconds(60)).until(() -> requests.poll() >= 1);
    await().atMost(Duration.ofSeconds(60)).until(() -> first.decided() >= 70);
    first.close();
    succeeded(requests.specs.getFirst());

    // 2. Drift-only policy; 40 more support questions: no drift, no request.
    RetrainPlanner planner = new RetrainPlanner();
    CurationWorker same = worker(DRIFT_ONLY, planner);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                !planner.busy("acme/faq", Instant.now())
                    && planner.lastRequest("acme/faq").isPresent());
    send(40, false);
    await().atMost(Duration.ofSeconds(60)).until(() -> same.decided() >= 40);
    long curated = same.stats().curatedCount("acme/faq");
    long fresh = planner.curatedSinceLastRequest("acme/faq", curated);
    assertThat(fresh).isGreaterThanOrEqualTo(20);
    DriftBook.Drift noDrift = same.drift().drift("acme/faq").orElseThrow();
    assertThat(noDrift.excess()).as("%s", noDrift).isLessThan(0.2);
    PolicyBook policies = PolicyProperties.parse(DRIFT_ONLY);
    assertThat(
            planner.due(
                "acme/faq",
                "acme/faq",
                policies.policyFor("acme", "faq").retrain(),
                curated,
                Instant.now(),
                same.drift()))
        .isEmpty();
    assertThat(requests.poll()).isEqualTo(1);

    // 3. A restart rebuilds both windows from examples.curated and training.requests.
    same.close();
    CurationWorker restarted = worker(DRIFT_ONLY, new RetrainPlanner());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> restarted.stats().curatedCount("acme/faq") == curated);
    assertThat(restarted.drift().drift("acme/faq")).isEqualTo(Optional.of(noDrift));

    // 4. Cooking questions: the prompt distribution shifted; drift asks for the retrain.
    send(60, true);
    await().atMost(Duration.ofSeconds(60)).until(() -> requests.poll() >= 2);
    SnapshotManifest second =
        DatasetSnapshots.readManifest(
            infra.objectStore(), requests.specs.get(1).getDatasetSnapshot());
    assertThat(second.composition().newRecords())
        .as("far fewer than min-new 10000: only drift can have asked")
        .isBetween(fresh + 1, fresh + 60);
  }
}
