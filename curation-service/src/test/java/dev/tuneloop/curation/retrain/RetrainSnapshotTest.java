package dev.tuneloop.curation.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.dataset.DatasetSnapshots;
import dev.tuneloop.platform.dataset.EvalSplit;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.dataset.SnapshotRecord;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.Role;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retrain snapshots with a replay buffer, cut from a real examples.curated topic into the S3
 * server: new + a deterministic sample of the earlier examples + the earlier eval split.
 */
@WithInfra
class RetrainSnapshotTest {

  private static final double EVAL_FRACTION = (float) 0.1;
  private static final SnapshotCutter.Replay DEFAULTS =
      new SnapshotCutter.Replay(0.25, 5000, 2000, EVAL_FRACTION);

  private Infra infra;
  private ObjectStore store;
  private String topic;
  private KafkaProducer<String, MessageLite> producer;
  private SnapshotCutter cutter;

  @BeforeEach
  void setUp(Infra infra) throws Exception {
    this.infra = infra;
    store = infra.objectStore();
    topic = infra.topic("examples.curated");
    try (Admin admin = Admin.create(infra.kafka().adminProperties())) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
    }
    producer =
        new KafkaProducer<>(
            infra.kafka().producerProperties(), new StringSerializer(), new ProtobufSerializer<>());
    cutter = new SnapshotCutter(infra.kafka(), topic, store, 50);
  }

  @AfterEach
  void tearDown() {
    producer.close();
  }

  /** Curated examples faq-{from} .. faq-{to - 1}, and one of another dataset beside each. */
  private void curate(int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      producer.send(new ProducerRecord<>(topic, "acme/faq", curated("faq-" + i)));
      producer.send(new ProducerRecord<>(topic, "acme/other", curated("other-" + i)));
    }
    producer.flush();
  }

  private static SnapshotCutter.Since since(SnapshotManifest previous) {
    return new SnapshotCutter.Since(
        DatasetSnapshots.manifestKey("acme", "faq", previous.snapshotId()),
        previous.source().endOffsets());
  }

  @Test
  void secondSnapshotHoldsTheNewExamplesASampleOfTheEarlierOnesAndTheEarlierEvalSplit()
      throws Exception {
    curate(0, 400);
    SnapshotManifest first = cutter.cut("acme", "faq", Map.of(), null, DEFAULTS);
    assertThat(first.count()).as("the first snapshot is everything").isEqualTo(400);
    assertThat(first.parts()).allSatisfy(p -> assertThat(p.role()).isNull());
    assertThat(first.composition().newRecords()).isEqualTo(400);
    assertThat(first.composition().datasetRecords()).isEqualTo(400);

    curate(400, 520);
    SnapshotManifest second = cutter.cut("acme", "faq", Map.of(), since(first), DEFAULTS);

    Set<String> earlierEval =
        ids(0, 400).stream()
            .filter(id -> EvalSplit.isEval(id, EVAL_FRACTION))
            .collect(Collectors.toSet());
    assertThat(earlierEval).hasSizeBetween(20, 60); // about 10% of 400
    Map<String, List<String>> byRole = idsByRole(second);
    assertThat(byRole.keySet()).containsExactly("new", "replay", "eval");
    assertThat(byRole.get("new")).containsExactlyInAnyOrderElementsOf(ids(400, 520));
    assertThat(byRole.get("replay"))
        .as("ceil(0.25 x 400) earlier examples, none of the eval split")
        .hasSize(100)
        .doesNotHaveDuplicates()
        .allMatch(id -> ids(0, 400).contains(id) && !earlierEval.contains(id));
    assertThat(byRole.get("eval")).containsExactlyInAnyOrderElementsOf(earlierEval);
    assertThat(second.composition())
        .isEqualTo(
            new SnapshotManifest.Composition(
                120,
                100,
                earlierEval.size(),
                400,
                520,
                DatasetSnapshots.manifestKey("acme", "faq", first.snapshotId())));
    assertThat(second.count()).isEqualTo(120 + 100 + earlierEval.size());
    // The trainer's reader sees it as any snapshot (checksums, count).
    assertThat(DatasetSnapshots.readAll(store, manifestKey(second))).hasSize((int) second.count());
  }

  @Test
  void dataOfARefusedCandidateIsNeitherReplayedNorHeldOut() throws Exception {
    curate(0, 200); // v1 trained on these and was promoted
    SnapshotManifest first = cutter.cut("acme", "faq", Map.of(), null, DEFAULTS);
    curate(200, 260); // a batch whose candidate the gate refused
    SnapshotManifest refused = cutter.cut("acme", "faq", Map.of(), since(first), DEFAULTS);
    curate(260, 300); // the next batch
    var sinceRefused =
        new SnapshotCutter.Since(
            DatasetSnapshots.manifestKey("acme", "faq", refused.snapshotId()),
            refused.source().endOffsets(),
            first.source().endOffsets());
    Map<String, List<String>> byRole =
        idsByRole(cutter.cut("acme", "faq", Map.of(), sinceRefused, DEFAULTS));

    assertThat(byRole.get("new")).containsExactlyInAnyOrderElementsOf(ids(260, 300));
    assertThat(byRole.get("replay"))
        .as(
            "replayed only from what the promoted version trained on: ceil(0.25 x its 200 minus eval)")
        .isNotEmpty()
        .allMatch(id -> ids(0, 200).contains(id));
    // Nor held out: the eval records are the promoted version's eval split.
    assertThat(byRole.get("eval"))
        .containsExactlyInAnyOrderElementsOf(
            ids(0, 200).stream().filter(id -> EvalSplit.isEval(id, EVAL_FRACTION)).toList());

    // Replaying everything (share 1) still leaves the refused batch out.
    Map<String, List<String>> all =
        idsByRole(
            cutter.cut(
                "acme",
                "faq",
                Map.of(),
                sinceRefused,
                new SnapshotCutter.Replay(1, 5000, 2000, EVAL_FRACTION)));
    assertThat(all.get("replay"))
        .containsExactlyInAnyOrderElementsOf(
            ids(0, 200).stream().filter(id -> !EvalSplit.isEval(id, EVAL_FRACTION)).toList());
  }

  @Test
  void theSampleIsTheSameWhenTheSnapshotIsCutAgain() throws Exception {
    curate(0, 300);
    SnapshotManifest first = cutter.cut("acme", "faq", Map.of(), null, DEFAULTS);
    curate(300, 350);
    SnapshotManifest second = cutter.cut("acme", "faq", Map.of(), since(first), DEFAULTS);
    List<String> sample = idsByRole(second).get("replay");

    // A crash after the cut: the objects are gone, the same request is cut again from scratch.
    for (var o :
        store.list(DatasetSnapshots.snapshotsPrefix("acme", "faq") + second.snapshotId())) {
      store.delete(o.key());
    }
    SnapshotManifest again = cutter.cut("acme", "faq", Map.of(), since(first), DEFAULTS);
    assertThat(again.sha256()).isEqualTo(second.sha256());
    assertThat(idsByRole(again).get("replay")).isEqualTo(sample);

    // The next retrain (after another snapshot) replays another sample of the history.
    SnapshotCutter.Since other =
        new SnapshotCutter.Since(
            "datasets/acme/faq/snapshots/0123456789abcdef/manifest.json",
            first.source().endOffsets());
    List<String> otherSample =
        idsByRole(cutter.cut("acme", "faq", Map.of(), other, DEFAULTS)).get("replay");
    assertThat(otherSample).hasSameSizeAs(sample).isNotEqualTo(sample);
  }

  @Test
  void replayMaxAndMaxEvalExamplesCapTheEarlierRecordsSmallestHashesFirst() throws Exception {
    curate(0, 400);
    SnapshotManifest first = cutter.cut("acme", "faq", Map.of(), null, DEFAULTS);
    curate(400, 410);
    SnapshotManifest capped =
        cutter.cut(
            "acme",
            "faq",
            Map.of(),
            since(first),
            new SnapshotCutter.Replay(0.25, 30, 5, EVAL_FRACTION));
    Map<String, List<String>> byRole = idsByRole(capped);
    assertThat(byRole.get("replay")).hasSize(30);
    List<String> smallestEval =
        ids(0, 400).stream()
            .filter(id -> EvalSplit.isEval(id, EVAL_FRACTION))
            .sorted(
                (a, b) ->
                    Long.compareUnsigned(SnapshotCutter.hash("", a), SnapshotCutter.hash("", b)))
            .limit(5)
            .toList();
    assertThat(byRole.get("eval")).containsExactlyElementsOf(smallestEval);
    // The uncapped sample's first 30 are the capped sample: the same bottom-k order.
    List<String> uncapped =
        idsByRole(cutter.cut("acme", "faq", Map.of(), since(first), DEFAULTS)).get("replay");
    assertThat(uncapped.subList(0, 30)).isEqualTo(byRole.get("replay"));
  }

  @Test
  void replayShareOneIsAFullSnapshot() throws Exception {
    curate(0, 200);
    SnapshotManifest first = cutter.cut("acme", "faq", Map.of(), null, DEFAULTS);
    curate(200, 260);
    SnapshotManifest full =
        cutter.cut(
            "acme", "faq", Map.of(), since(first), new SnapshotCutter.Replay(1, 10, 10, 0.1));
    assertThat(full.count()).isEqualTo(260);
    assertThat(full.parts()).allSatisfy(p -> assertThat(p.role()).isNull());
    assertThat(DatasetSnapshots.readAll(store, manifestKey(full)))
        .extracting(SnapshotRecord::id)
        .containsExactlyInAnyOrderElementsOf(ids(0, 260));
    assertThat(full.composition().newRecords()).isEqualTo(60);
    assertThat(full.composition().replayRecords()).isEqualTo(200);
    assertThat(full.snapshotId())
        .as("the same content as a plain full cut")
        .isEqualTo(cutter.cut("acme", "faq", Map.of()).snapshotId());
  }

  private Map<String, List<String>> idsByRole(SnapshotManifest m) {
    List<SnapshotRecord> records = DatasetSnapshots.readAll(store, manifestKey(m));
    Map<String, List<String>> byRole = new LinkedHashMap<>();
    int i = 0;
    for (SnapshotManifest.Part part : m.parts()) {
      List<String> ids = byRole.computeIfAbsent(part.role(), r -> new ArrayList<>());
      for (long n = 0; n < part.count(); n++) {
        ids.add(records.get(i++).id());
      }
    }
    return byRole;
  }

  private static String manifestKey(SnapshotManifest m) {
    return DatasetSnapshots.manifestKey(m.tenant(), m.dataset(), m.snapshotId());
  }

  private static List<String> ids(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "faq-" + i).toList();
  }

  private static CuratedExample curated(String id) {
    return CuratedExample.newBuilder()
        .setExample(Example.newBuilder().setId(id).setTenant("acme").setDataset("faq"))
        .addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent("Question " + id))
        .addMessages(
            ChatMessage.newBuilder().setRole(Role.ROLE_ASSISTANT).setContent("Answer " + id))
        .setContentHash(Integer.toHexString(id.hashCode()))
        .build();
  }
}
