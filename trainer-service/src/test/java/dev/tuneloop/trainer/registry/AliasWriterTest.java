package dev.tuneloop.trainer.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.AdapterAliases;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.AliasMove;
import dev.tuneloop.proto.v1.PromotionDecision;
import dev.tuneloop.servicekit.supervision.Supervisor;
import dev.tuneloop.trainer.testing.TrainerHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Alias moves through the real broker, read back by the view. */
@WithInfra
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AliasWriterTest {

  private static final PromotionDecision PASSED =
      PromotionDecision.newBuilder().setPromote(true).setReason("eval loss ok").build();

  private Infra infra;
  private Producer<String, MessageLite> producer;
  private String aliasesTopic;
  private String publishedTopic;
  private AliasView view;
  private AliasWriter writer;

  @BeforeAll
  void start(Infra infra) {
    this.infra = infra;
    producer =
        new KafkaProducer<>(
            infra.kafka().producerProperties(),
            new StringSerializer(),
            new ProtobufSerializer<MessageLite>());
    aliasesTopic = infra.topic("adapters.aliases-writer");
    publishedTopic = infra.topic("adapters.published-writer");
    view = new AliasView(infra.kafka(), aliasesTopic, publishedTopic, Supervisor.standalone());
    view.start();
    writer = new AliasWriter(view, producer, aliasesTopic, 1000, Duration.ofSeconds(30));
  }

  @AfterAll
  void stop() {
    view.close();
    producer.close();
  }

  /** Announces a version on adapters.published and waits until the view has it. */
  private AdapterPublished published(String adapter, String version) throws Exception {
    AdapterPublished p =
        AdapterPublished.newBuilder()
            .setTenant("acme")
            .setName(adapter)
            .setVersion(version)
            .setLocation("adapters/acme/" + adapter + "/" + version + "/")
            .setJobId("job-" + version)
            .setPublishedAt(Timestamps.of(Instant.now()))
            .build();
    producer
        .send(new ProducerRecord<>(publishedTopic, Topics.versionKey("acme", adapter, version), p))
        .get();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> view.version("acme", adapter, version).isPresent());
    return p;
  }

  private long records(String adapter) {
    return TrainerHarness.readAll(infra.kafka(), aliasesTopic, AdapterAliases.parser()).stream()
        .filter(a -> a.getName().equals(adapter))
        .count();
  }

  @Test
  void trainThenGateMoveCandidateThenProductionWithHistoryRevisionAndTargets() throws Exception {
    AdapterPublished v1 = published("flow", "v1");
    AdapterAliases trained = writer.train(v1);
    assertThat(trained.getAliasesMap())
        .containsExactlyEntriesOf(java.util.Map.of("candidate", "v1"));
    assertThat(trained.getRevision()).isEqualTo(1);
    assertThat(view.production("acme", "flow")).isEmpty();

    AdapterAliases gated = writer.gate(v1, PASSED);
    assertThat(gated.getRevision()).isEqualTo(2);
    assertThat(gated.getAliasesMap())
        .containsEntry("production", "v1")
        .containsEntry("candidate", "v1");
    assertThat(gated.getTargetsMap()).containsOnlyKeys("v1").containsEntry("v1", v1);
    assertThat(gated.getHistoryList())
        .extracting(
            AliasMove::getAlias,
            AliasMove::getAction,
            AliasMove::getActor,
            AliasMove::getPreviousVersion)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("candidate", "train", "trainer", ""),
            org.assertj.core.groups.Tuple.tuple(
                "production", "gate", "trainer/promotion-gate", ""));
    assertThat(gated.getHistory(1).getReason()).isEqualTo("eval loss ok");
    // The writer returned only once the view had read it: no waiting needed here.
    assertThat(view.aliases("acme", "flow")).contains(gated);
    assertThat(view.production("acme", "flow")).contains(v1);

    AdapterPublished v2 = published("flow", "v2");
    AdapterAliases next = writer.train(v2);
    assertThat(next.getTargetsMap()).containsOnlyKeys("v1", "v2"); // what the aliases point at
    AdapterPublished v3 = published("flow", "v3");
    assertThat(writer.train(v3).getTargetsMap()).containsOnlyKeys("v1", "v3");
  }

  @Test
  void aMoveToTheVersionAnAliasAlreadyPointsAtWritesNothing() throws Exception {
    AdapterPublished v1 = published("again", "v1");
    AdapterAliases first = writer.gate(v1, PASSED);
    AdapterAliases again = writer.gate(v1, PASSED); // a job rerun after a crash
    assertThat(again).isEqualTo(first);
    assertThat(records("again")).isEqualTo(1);
  }

  @Test
  void aFailedDecisionCannotMoveProduction() throws Exception {
    AdapterPublished v1 = published("refused", "v1");
    assertThatThrownBy(
            () ->
                writer.gate(
                    v1, PromotionDecision.newBuilder().setPromote(false).setReason("no").build()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(view.aliases("acme", "refused")).isEmpty();
  }

  @Test
  void rollbackGoesBackOneProductionMoveAtATimeAndNeverForward() throws Exception {
    AdapterPublished v1 = published("roll", "v1");
    AdapterPublished v2 = published("roll", "v2");
    published("roll", "v3");
    writer.gate(v1, PASSED);
    writer.gate(v2, PASSED);
    writer.promote("acme", "roll", "v3", "tenant:acme", "hotfix");

    AdapterAliases back = writer.rollback("acme", "roll", "tenant:acme", "v3 is bad");
    assertThat(back.getAliasesOrThrow("production")).isEqualTo("v2");
    assertThat(back.getHistoryList().getLast())
        .satisfies(
            m -> {
              assertThat(m.getAction()).isEqualTo("rollback");
              assertThat(m.getPreviousVersion()).isEqualTo("v3");
              assertThat(m.getActor()).isEqualTo("tenant:acme");
              assertThat(m.getReason()).isEqualTo("v3 is bad");
            });
    assertThat(writer.rollback("acme", "roll", "tenant:acme", "").getAliasesOrThrow("production"))
        .isEqualTo("v1"); // further back, not forward to v3
    assertThatThrownBy(() -> writer.rollback("acme", "roll", "tenant:acme", ""))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("no previous production version")
        .extracting(e -> ((RegistryException) e).kind())
        .isEqualTo(RegistryException.Kind.PRECONDITION);

    writer.promote("acme", "roll", "v3", "tenant:acme", "");
    assertThat(writer.rollback("acme", "roll", "tenant:acme", "").getAliasesOrThrow("production"))
        .isEqualTo("v1");
  }

  @Test
  void rollbackWithoutAnyProductionIsAPreconditionFailure() throws Exception {
    writer.train(published("never", "v1"));
    assertThatThrownBy(() -> writer.rollback("acme", "never", "tenant:acme", ""))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("it has no production version");
  }

  @Test
  void promotingAnUnknownVersionIsNotFoundNamingTheAdaptersVersions() throws Exception {
    published("known", "v1");
    published("known", "v2");
    assertThatThrownBy(() -> writer.promote("acme", "known", "v9", "tenant:acme", ""))
        .isInstanceOf(RegistryException.class)
        .hasMessage("adapter 'known' has no version 'v9'; its versions (oldest first): v1, v2")
        .extracting(e -> ((RegistryException) e).kind())
        .isEqualTo(RegistryException.Kind.NOT_FOUND);
  }

  @Test
  void theHistoryIsCappedAtMaxHistoryDroppingTheOldest() throws Exception {
    var capped = new AliasWriter(view, producer, aliasesTopic, 3, Duration.ofSeconds(30));
    for (int i = 1; i <= 5; i++) {
      capped.promote("acme", "capped", published("capped", "v" + i).getVersion(), "t", "");
    }
    AdapterAliases state = view.aliases("acme", "capped").orElseThrow();
    assertThat(state.getRevision()).isEqualTo(5);
    assertThat(state.getHistoryList())
        .extracting(AliasMove::getVersion)
        .containsExactly("v3", "v4", "v5");
  }

  @Test
  void aNewViewReadsTheSameStateFromTheTopics() throws Exception {
    AdapterPublished v1 = published("restart", "v1");
    AdapterAliases state = writer.gate(v1, PASSED);
    try (var fresh =
        new AliasView(infra.kafka(), aliasesTopic, publishedTopic, Supervisor.standalone())) {
      fresh.start().awaitCaughtUp(Duration.ofSeconds(30));
      assertThat(fresh.aliases("acme", "restart")).contains(state);
      assertThat(fresh.production("acme", "restart")).contains(v1);
      assertThat(fresh.versions("acme", "restart")).containsExactly(v1);
    }
  }

  @Test
  void rollbackTargetUndoesMovesLikeAStack() {
    List<AliasMove> history =
        List.of(
            move("production", "gate", "v1", ""),
            move("candidate", "train", "v2", "v1"),
            move("production", "gate", "v2", "v1"),
            move("production", "promote", "v3", "v2"),
            move("production", "rollback", "v2", "v3"));
    assertThat(AliasWriter.rollbackTarget(history)).isEqualTo("v1");
    assertThat(AliasWriter.rollbackTarget(history.subList(0, 4))).isEqualTo("v2");
    assertThat(AliasWriter.rollbackTarget(history.subList(0, 1))).isNull();
    assertThat(AliasWriter.rollbackTarget(List.of())).isNull();
    // The move a rollback undid fell out of the capped history: nothing older to undo.
    assertThat(AliasWriter.rollbackTarget(List.of(move("production", "rollback", "v2", "v3"))))
        .isNull();
  }

  private static AliasMove move(String alias, String action, String version, String previous) {
    return AliasMove.newBuilder()
        .setAlias(alias)
        .setAction(action)
        .setVersion(version)
        .setPreviousVersion(previous)
        .build();
  }
}
