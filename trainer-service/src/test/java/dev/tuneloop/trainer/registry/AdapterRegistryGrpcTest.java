package dev.tuneloop.trainer.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.AdapterDetails;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.AdapterRegistryServiceGrpc;
import dev.tuneloop.proto.v1.AdapterRegistryServiceGrpc.AdapterRegistryServiceBlockingStub;
import dev.tuneloop.proto.v1.AdapterVersion;
import dev.tuneloop.proto.v1.AliasMove;
import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.proto.v1.EvalScores;
import dev.tuneloop.proto.v1.GetAdapterRequest;
import dev.tuneloop.proto.v1.GetGoldenPromptsRequest;
import dev.tuneloop.proto.v1.GetPromotionPolicyRequest;
import dev.tuneloop.proto.v1.GoldenPrompt;
import dev.tuneloop.proto.v1.PromoteRequest;
import dev.tuneloop.proto.v1.PromotionPolicy;
import dev.tuneloop.proto.v1.PutGoldenPromptsRequest;
import dev.tuneloop.proto.v1.RollbackRequest;
import dev.tuneloop.proto.v1.SetPromotionPolicyRequest;
import dev.tuneloop.servicekit.testing.TestCredentials;
import dev.tuneloop.trainer.AdapterPublisher;
import dev.tuneloop.trainer.testing.TrainerHarness;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * AdapterRegistryService on a real trainer-service (API only), with the real broker and S3 server,
 * through a gRPC channel with test credentials.
 */
@WithInfra
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdapterRegistryGrpcTest {

  private Infra infra;
  private Map<String, Object> props;
  private EmbeddedServer server;
  private ManagedChannel channel;
  private AdapterRegistryServiceBlockingStub acme;
  private AdapterRegistryServiceBlockingStub globex;
  private ObjectStore store;
  private Producer<String, MessageLite> producer;
  private AdapterPublisher publisher;
  private Instant clock = Instant.parse("2026-01-01T00:00:00Z");

  @BeforeAll
  void start(Infra infra) throws Exception {
    this.infra = infra;
    store = infra.objectStore();
    Path work = Files.createTempDirectory("registry-");
    props = TrainerHarness.properties(infra, "registry", work);
    props.put("trainer.worker-enabled", "false");
    props.put("trainer.registry.max-golden-prompts", "3");
    server = TrainerHarness.start(infra, props);
    channel = TrainerHarness.channel(server);
    acme = stub("acme");
    globex = stub("globex");
    producer =
        new KafkaProducer<>(
            infra.kafka().producerProperties(),
            new StringSerializer(),
            new ProtobufSerializer<MessageLite>());
    publisher =
        new AdapterPublisher(store, producer, (String) props.get("trainer.published-topic"), work);
  }

  @AfterAll
  void stop() {
    producer.close();
    channel.shutdownNow();
    server.close();
  }

  private AdapterRegistryServiceBlockingStub stub(String tenant) {
    return TestCredentials.asTenant(
        AdapterRegistryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES),
        tenant);
  }

  /** A version as the trainer announces it, published a second after the previous one. */
  private AdapterPublished announce(String adapter, String version) throws Exception {
    clock = clock.plusSeconds(1);
    AdapterPublished p =
        AdapterPublished.newBuilder()
            .setTenant("acme")
            .setName(adapter)
            .setVersion(version)
            .setLocation(AdapterPublisher.location("acme", adapter, version))
            .setJobId("job-" + version)
            .setPublishedAt(Timestamps.of(clock))
            .build();
    publisher.announce(p);
    return p;
  }

  private AdapterDetails details(String adapter) {
    return acme.getAdapter(GetAdapterRequest.newBuilder().setName(adapter).build());
  }

  private void awaitVersions(String adapter, int count) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> details(adapter).getVersionsCount() == count);
  }

  private static void assertStatus(ThrowingCallable call, Status.Code code, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(message);
            });
  }

  @Test
  void getAdapterListsVersionsOldestFirstWithTheirEvalReportsAliasesAndHistory() throws Exception {
    AdapterPublished v2 = announce("support", "bbbb000000000002");
    AdapterPublished v1 = announce("support", "aaaa000000000001");
    // v2 was announced first: oldest first is by publication time, not by id
    EvalReport report =
        EvalReport.newBuilder()
            .setVersion(v2.getVersion())
            .setCandidate(EvalScores.newBuilder().setEvalLoss(0.5))
            .build();
    publisher.storeEval(v2, report);
    awaitVersions("support", 2);

    AdapterDetails promoted =
        acme.promote(
            PromoteRequest.newBuilder()
                .setName("support")
                .setVersion(v2.getVersion())
                .setReason("looks good")
                .build());

    assertThat(promoted.getTenant()).isEqualTo("acme");
    assertThat(promoted.getVersionsList())
        .extracting(AdapterVersion::getAdapter)
        .containsExactly(v2, v1);
    assertThat(promoted.getVersions(0).getEval()).isEqualTo(report);
    assertThat(promoted.getVersions(0).getAliasesList()).containsExactly("production");
    assertThat(promoted.getVersions(1).hasEval()).isFalse();
    assertThat(promoted.getVersions(1).getAliasesList()).isEmpty();
    assertThat(promoted.getAliasesMap())
        .containsExactlyEntriesOf(Map.of("production", v2.getVersion()));
    assertThat(promoted.getHistoryList())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getActor()).isEqualTo("tenant:acme");
              assertThat(m.getAction()).isEqualTo("promote");
              assertThat(m.getReason()).isEqualTo("looks good");
            });
    assertThat(details("support")).isEqualTo(promoted);
  }

  @Test
  void promoteAndRollbackMoveProductionAndRollbackWithoutAPreviousVersionIsAPreconditionFailure()
      throws Exception {
    AdapterPublished v1 = announce("rollme", "1111111111111111");
    AdapterPublished v2 = announce("rollme", "2222222222222222");
    awaitVersions("rollme", 2);
    PromoteRequest.Builder promote = PromoteRequest.newBuilder().setName("rollme");
    acme.promote(promote.setVersion(v1.getVersion()).build());
    assertStatus(
        () -> acme.rollback(RollbackRequest.newBuilder().setName("rollme").build()),
        Status.Code.FAILED_PRECONDITION,
        "no previous production version");

    acme.promote(promote.setVersion(v2.getVersion()).build());
    AdapterDetails back =
        acme.rollback(RollbackRequest.newBuilder().setName("rollme").setReason("bad").build());
    assertThat(back.getAliasesOrThrow("production")).isEqualTo(v1.getVersion());
    assertThat(back.getHistoryList())
        .extracting(AliasMove::getAction)
        .containsExactly("promote", "promote", "rollback");
  }

  @Test
  void badRequestsAreStatusesAUserCanActOn() throws Exception {
    announce("strict", "3333333333333333");
    awaitVersions("strict", 1);
    assertStatus(
        () ->
            acme.promote(PromoteRequest.newBuilder().setName("strict").setVersion("nope").build()),
        Status.Code.NOT_FOUND,
        "adapter 'strict' has no version 'nope'; its versions (oldest first): 3333333333333333");
    assertStatus(
        () ->
            acme.promote(
                PromoteRequest.newBuilder().setName("strict").setVersion("production").build()),
        Status.Code.INVALID_ARGUMENT,
        "not the alias 'production'");
    assertStatus(
        () -> acme.getAdapter(GetAdapterRequest.newBuilder().setName("../etc").build()),
        Status.Code.INVALID_ARGUMENT,
        "name: '../etc' must be 1-64 characters");
    assertStatus(
        () -> acme.getAdapter(GetAdapterRequest.newBuilder().setName("missing").build()),
        Status.Code.NOT_FOUND,
        "adapter 'missing' has no published versions");
    assertStatus(
        () -> acme.rollback(RollbackRequest.newBuilder().setName("missing").build()),
        Status.Code.NOT_FOUND,
        "adapter 'missing' has no published versions");
  }

  @Test
  void anotherTenantSeesNeitherTheAdapterNorCanMoveIt() throws Exception {
    AdapterPublished v = announce("private", "4444444444444444");
    awaitVersions("private", 1);
    assertStatus(
        () -> globex.getAdapter(GetAdapterRequest.newBuilder().setName("private").build()),
        Status.Code.NOT_FOUND,
        "has no published versions");
    assertStatus(
        () ->
            globex.promote(
                PromoteRequest.newBuilder().setName("private").setVersion(v.getVersion()).build()),
        Status.Code.NOT_FOUND,
        "has no published versions");
    assertThat(details("private").getAliasesMap()).isEmpty();
  }

  @Test
  void goldenPromptsArePutAndGotPerTenantWithinTheLimit() {
    GoldenPrompt a =
        GoldenPrompt.newBuilder().setPrompt("What is a foobear?").setExpected("A bear.").build();
    GoldenPrompt b = GoldenPrompt.newBuilder().setPrompt("Hi?").setExpected("Hello.").build();
    var put = PutGoldenPromptsRequest.newBuilder().setDataset("foobear");
    assertThat(acme.putGoldenPrompts(put.addPrompts(a).build()).getCount()).isEqualTo(1);
    assertThat(acme.putGoldenPrompts(put.clearPrompts().addPrompts(b).build()).getCount())
        .isEqualTo(2);
    assertThat(
            acme.getGoldenPrompts(
                    GetGoldenPromptsRequest.newBuilder().setDataset("foobear").build())
                .getPromptsList())
        .containsExactly(a, b);
    assertThat(store.exists("datasets/acme/foobear/golden.jsonl")).isTrue();
    assertThat(
            globex
                .getGoldenPrompts(
                    GetGoldenPromptsRequest.newBuilder().setDataset("foobear").build())
                .getPromptsList())
        .isEmpty();

    assertStatus(
        () -> acme.putGoldenPrompts(put.clearPrompts().addPrompts(a).addPrompts(b).build()),
        Status.Code.INVALID_ARGUMENT,
        "would have 4 golden prompts; the limit is 3 (setting trainer.registry.max-golden-prompts)");
    assertStatus(
        () ->
            acme.putGoldenPrompts(
                put.clearPrompts()
                    .addPrompts(GoldenPrompt.newBuilder().setPrompt("no answer"))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "prompts[0].expected: is required");
    assertThat(
            acme.putGoldenPrompts(put.clearPrompts().addPrompts(b).setReplace(true).build())
                .getCount())
        .isEqualTo(1);
  }

  @Test
  void promotionPolicyIsStoredPerDatasetAndReturnedWithTheDefaultsFilledIn() {
    var get = GetPromotionPolicyRequest.newBuilder().setDataset("support").build();
    assertThat(acme.getPromotionPolicy(get))
        .isEqualTo(PromotionConfiguration.defaults().toPolicy());

    PromotionPolicy set =
        acme.setPromotionPolicy(
            SetPromotionPolicyRequest.newBuilder()
                .setDataset("support")
                .setPolicy(PromotionPolicy.newBuilder().setMode("manual").setMinGoldenDelta(0.05))
                .build());
    assertThat(set.getMode()).isEqualTo("manual");
    assertThat(set.getMinGoldenDelta()).isEqualTo(0.05);
    assertThat(set.getMaxEvalLossRegression()).isEqualTo(0.05);
    assertThat(acme.getPromotionPolicy(get)).isEqualTo(set);
    assertThat(globex.getPromotionPolicy(get).getMode()).isEqualTo("auto");

    assertStatus(
        () ->
            acme.setPromotionPolicy(
                SetPromotionPolicyRequest.newBuilder()
                    .setDataset("support")
                    .setPolicy(PromotionPolicy.newBuilder().setMaxDrift(-0.5))
                    .build()),
        Status.Code.INVALID_ARGUMENT,
        "max_drift: must be in [0.0, 1.0]");
  }
}
