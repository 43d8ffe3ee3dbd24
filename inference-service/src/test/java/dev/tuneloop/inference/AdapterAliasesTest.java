package dev.tuneloop.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.inference.adapters.AdapterEventsConsumer;
import dev.tuneloop.inference.adapters.AdapterRegistry;
import dev.tuneloop.inference.adapters.AdapterSlots;
import dev.tuneloop.inference.adapters.PeftAdapterLoader;
import dev.tuneloop.inference.adapters.ServedAdapter;
import dev.tuneloop.inference.serving.ChatService;
import dev.tuneloop.inference.serving.LlmChatEngine;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.ChatChunk;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.ChatResponse;
import dev.tuneloop.proto.v1.InferenceServiceGrpc;
import dev.tuneloop.proto.v1.ListAdaptersRequest;
import dev.tuneloop.proto.v1.Role;
import dev.tuneloop.proto.v1.SamplingParams;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests resolved through aliases moved by records on the real adapters.aliases topic, with the
 * versions' files in the real S3 server. Two replicas read the same topics: the gRPC service
 * ({@code inference}) and a second registry with its own consumers and chat service ({@code
 * replica}).
 */
@WithInfra
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdapterAliasesTest {
  private static final String TENANT = "aliases";

  private LoadedModel model;
  private ObjectStore store;
  private String publishedTopic;
  private InferenceServer server;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private AdapterRegistry<ServedAdapter> replica;
  private ChatService replicaChats;
  private ManagedChannel channel;
  private InferenceServiceGrpc.InferenceServiceBlockingStub inference;
  private KafkaProducer<String, AdapterPublished> producer;
  private TestAliases aliases;

  @BeforeAll
  void start(Infra infra) {
    model = BuiltinModels.stories260K();
    store = infra.objectStore();
    publishedTopic = infra.topic(Topics.ADAPTERS_PUBLISHED);
    String aliasesTopic = infra.topic(Topics.ADAPTERS_ALIASES);
    server =
        InferenceServer.start(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .intercept(TestCredentials.interceptor()),
            model,
            new PeftAdapterLoader(store, model),
            new InferenceConfig(BuiltinModels.STORIES260K, 2, 1, 16, true, publishedTopic),
            new SimpleMeterRegistry());
    AdapterSlots slots = new AdapterSlots(model, 16);
    replica = new AdapterRegistry<>(2, slots.slotting(new PeftAdapterLoader(store, model)));
    replicaChats =
        new ChatService(
            replica,
            LlmChatEngine.forModel(model, slots.resident()),
            1,
            8,
            16,
            new SimpleMeterRegistry());
    for (AdapterRegistry<ServedAdapter> registry : List.of(server.adapters(), replica)) {
      closing.add(
          AdapterEventsConsumer.published(infra.kafka(), publishedTopic, registry::publish)
              .start());
      closing.add(
          AdapterEventsConsumer.aliases(infra.kafka(), aliasesTopic, registry::setAliases).start());
    }
    closing.addAll(List.of(replicaChats, replica, slots));
    channel =
        Grpc.newChannelBuilder("localhost:" + server.port(), InsecureChannelCredentials.create())
            .build();
    inference = TestCredentials.asTenant(InferenceServiceGrpc.newBlockingStub(channel), TENANT);
    producer =
        new KafkaProducer<>(
            infra.kafka().producerProperties(), new StringSerializer(), new ProtobufSerializer<>());
    aliases = new TestAliases(infra.kafka(), aliasesTopic);
  }

  @AfterAll
  void stop() throws Exception {
    aliases.close();
    producer.close();
    channel.shutdownNow();
    for (AutoCloseable c : closing) {
      c.close();
    }
    server.close();
    model.close();
  }

  private static ChatRequest request(String adapter) {
    return ChatRequest.newBuilder()
        .setTenant(TENANT)
        .setAdapter(adapter)
        .addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent("Once upon"))
        .setSampling(SamplingParams.newBuilder().setMaxTokens(16))
        .build();
  }

  /** Uploads a seeded random adapter where the trainer would and announces it (no alias). */
  private AdapterPublished publish(String name, String version, long seed, Path dir)
      throws Exception {
    Path adapterDir = Files.createDirectories(dir.resolve(name + "-" + version));
    TestAdapters.writeRandomPeftAdapter(model, adapterDir, 0.5f, seed);
    String prefix = "adapters/" + TENANT + "/" + name + "/" + version + "/";
    try (var files = Files.list(adapterDir)) {
      for (Path file : files.toList()) {
        store.putFile(prefix + file.getFileName(), file, "application/octet-stream");
      }
    }
    AdapterPublished published =
        AdapterPublished.newBuilder()
            .setTenant(TENANT)
            .setName(name)
            .setVersion(version)
            .setLocation(prefix)
            .setBaseModelId(model.id().name())
            .setBaseModelSha256(model.id().sha256())
            .build();
    producer
        .send(
            new ProducerRecord<>(
                publishedTopic, Topics.versionKey(TENANT, name, version), published))
        .get();
    return published;
  }

  private static String resolved(AdapterRegistry<?> registry, String reference) {
    try (var acquired = registry.acquire(TENANT, reference)) {
      return acquired.version();
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }

  /** Waits until both replicas have read the move: each resolves {@code reference} to it. */
  private void awaitBoth(String reference, String version) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(resolved(server.adapters(), reference)).isEqualTo(version);
              assertThat(resolved(replica, reference)).isEqualTo(version);
            });
  }

  @Test
  void aPlainNameFollowsProductionCandidateFollowsCandidateAndAVersionStaysPinned(@TempDir Path dir)
      throws Exception {
    AdapterPublished v1 = publish("mover", "v1", 21, dir);
    AdapterPublished v2 = publish("mover", "v2", 22, dir);
    aliases.promote(v1);
    awaitBoth("mover", "v1");
    ChatResponse first = inference.chat(request("mover"));
    assertThat(first.getAdapterVersion()).isEqualTo("v1");
    assertThat(first.getAdapterAlias()).isEqualTo("production");
    String v1Text = inference.chat(request("mover@v1")).getText();
    String v2Text = inference.chat(request("mover@v2")).getText();
    assertThat(first.getText()).isEqualTo(v1Text).isNotEqualTo(v2Text);

    aliases.write(TENANT, "mover", Map.of("production", v1, "candidate", v2));
    awaitBoth("mover@candidate", "v2");
    ChatResponse candidate = inference.chat(request("mover@candidate"));
    assertThat(candidate.getAdapterVersion()).isEqualTo("v2");
    assertThat(candidate.getAdapterAlias()).isEqualTo("candidate");
    assertThat(candidate.getText()).isEqualTo(v2Text);
    assertThat(inference.chat(request("mover")).getAdapterVersion()).isEqualTo("v1");

    aliases.write(TENANT, "mover", Map.of("production", v2, "candidate", v2)); // promoted
    awaitBoth("mover", "v2");
    ChatResponse promoted = inference.chat(request("mover"));
    assertThat(promoted.getAdapterVersion()).isEqualTo("v2");
    assertThat(promoted.getText()).isEqualTo(v2Text);
    var info =
        inference
            .listAdapters(ListAdaptersRequest.newBuilder().setTenant(TENANT).build())
            .getAdaptersList()
            .stream()
            .filter(a -> a.getAdapter().getName().equals("mover"))
            .findFirst()
            .orElseThrow();
    assertThat(info.getAdapter().getVersion()).isEqualTo("v2");
    assertThat(info.getServingVersion()).isEqualTo("v2");
    assertThat(info.getAliasesMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("production", "v2", "candidate", "v2"));
    List<ChatChunk> chunks = new ArrayList<>();
    inference.chatStream(request("mover")).forEachRemaining(chunks::add);
    assertThat(chunks).isNotEmpty();
    assertThat(chunks).allMatch(c -> c.getAdapterVersion().equals("v2"));
    assertThat(chunks).allMatch(c -> c.getAdapterAlias().equals("production"));

    aliases.promote(v1); // rolled back
    awaitBoth("mover", "v1");
    assertThat(inference.chat(request("mover")).getText()).isEqualTo(v1Text);
    ChatResponse pinned = inference.chat(request("mover@v2"));
    assertThat(pinned.getAdapterVersion()).isEqualTo("v2");
    assertThat(pinned.getAdapterAlias()).isEmpty();
    assertThat(resolved(replica, "mover@candidate")).contains("no alias or version");
  }

  @Test
  void aPlainNameWithoutProductionIsNotFoundNamingWhatCanBePinnedAndHowToPromote(@TempDir Path dir)
      throws Exception {
    publish("fresh", "v1", 31, dir);
    AdapterPublished v2 = publish("fresh", "v2", 32, dir);
    aliases.write(TENANT, "fresh", Map.of("candidate", v2));
    awaitBoth("fresh@candidate", "v2");
    awaitBoth("fresh@v1", "v1");

    assertThatThrownBy(() -> inference.chat(request("fresh")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND))
        .hasMessageContaining("adapter \"fresh\" has no production version yet")
        .hasMessageContaining("fresh@candidate (v2), fresh@v1, fresh@v2")
        .hasMessageContaining("POST /v1/adapters/fresh/promote");
    var info =
        inference
            .listAdapters(ListAdaptersRequest.newBuilder().setTenant(TENANT).build())
            .getAdaptersList()
            .stream()
            .filter(a -> a.getAdapter().getName().equals("fresh"))
            .findFirst()
            .orElseThrow();
    assertThat(info.getServingVersion()).isEmpty();
    assertThat(info.getAdapter().getVersion()).isEqualTo("v2"); // the newest, as there is none
    assertThat(info.getAliasesMap()).containsExactly(Map.entry("candidate", "v2"));
  }

  @Test
  void aRequestInFlightKeepsTheVersionItResolvedWhileProductionMoves(@TempDir Path dir)
      throws Exception {
    AdapterPublished v1 = publish("steady", "v1", 41, dir);
    AdapterPublished v2 = publish("steady", "v2", 42, dir);
    aliases.promote(v1);
    awaitBoth("steady", "v1");
    String v1Text = inference.chat(request("steady@v1")).getText();
    String v2Text = inference.chat(request("steady@v2")).getText();
    assertThat(v1Text).isNotEqualTo(v2Text);

    CountDownLatch generating = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    StringBuilder streamed = new StringBuilder();
    CompletableFuture<ChatService.Result> inFlight =
        replicaChats.chat(
            request("steady"),
            piece -> {
              streamed.append(piece);
              generating.countDown();
              pass(release); // holds the generation after its first piece
            },
            () -> false);
    assertThat(generating.await(60, TimeUnit.SECONDS)).isTrue();

    aliases.promote(v2); // moves while the request generates
    awaitBoth("steady", "v2");
    release.countDown();

    ChatService.Result result = inFlight.get(60, TimeUnit.SECONDS);
    assertThat(result.adapterVersion()).isEqualTo("v1");
    assertThat(result.adapterAlias()).isEqualTo("production");
    assertThat(result.outcome().text()).isEqualTo(v1Text).isEqualTo(streamed.toString());
    ChatService.Result next = replicaChats.chat(request("steady"), p -> {}, () -> false).get();
    assertThat(next.adapterVersion()).isEqualTo("v2");
    assertThat(next.outcome().text()).isEqualTo(v2Text);
  }

  private static void pass(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
