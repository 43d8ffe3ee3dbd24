package dev.tuneloop.inference;

import static io.grpc.Status.Code.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.djl.ndarray.index.NDIndex;
import dev.tuneloop.inference.adapters.AdapterEventsConsumer;
import dev.tuneloop.inference.adapters.PeftAdapterLoader;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSpec;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.AdapterAliases;
import dev.tuneloop.proto.v1.AdapterInfo;
import dev.tuneloop.proto.v1.AdapterPublished;
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
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version that cannot be served is refused with its reason, and never answers in place of another
 * or is replaced by another: for each fault kind, a good v1 is published and production, then a
 * faulty v2 is published on the real topic with its files in the real object store and made the
 * candidate, as the trainer does. The plain name keeps answering with v1, exactly as before; {@code
 * name@v2} is FAILED_PRECONDITION and {@code name@candidate} UNAVAILABLE with the reason. Promoted
 * to production, v2 makes the plain name UNAVAILABLE with the reason (no silent fallback to v1:
 * every replica must answer with the same version), and {@code ListAdapters} shows v2 with it.
 */
@WithInfra
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdapterFaultsTest {
  private static final String TENANT = "faults";
  private static final int MAX_RANK = 16;
  private static final LoraSpec GOOD = LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V);

  private LoadedModel model;
  private ObjectStore store;
  private InferenceServer server;
  private AdapterEventsConsumer<AdapterPublished> events;
  private AdapterEventsConsumer<AdapterAliases> aliasEvents;
  private TestAliases aliases;
  private ManagedChannel channel;
  private InferenceServiceGrpc.InferenceServiceBlockingStub inference;
  private KafkaProducer<String, AdapterPublished> producer;
  private String topic;

  @BeforeAll
  void start(Infra infra) {
    model = BuiltinModels.stories260K();
    store = infra.objectStore();
    topic = infra.topic(Topics.ADAPTERS_PUBLISHED);
    String aliasesTopic = infra.topic(Topics.ADAPTERS_ALIASES);
    InferenceConfig config =
        new InferenceConfig(BuiltinModels.STORIES260K, 4, 1, 16, true, topic, 8, MAX_RANK);
    server =
        InferenceServer.start(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .intercept(TestCredentials.interceptor()),
            model,
            new PeftAdapterLoader(store, model),
            config,
            new SimpleMeterRegistry());
    events =
        AdapterEventsConsumer.published(infra.kafka(), topic, server.adapters()::publish).start();
    aliasEvents =
        AdapterEventsConsumer.aliases(infra.kafka(), aliasesTopic, server.adapters()::setAliases)
            .start();
    aliases = new TestAliases(infra.kafka(), aliasesTopic);
    channel =
        Grpc.newChannelBuilder("localhost:" + server.port(), InsecureChannelCredentials.create())
            .build();
    inference = TestCredentials.asTenant(InferenceServiceGrpc.newBlockingStub(channel), TENANT);
    producer =
        new KafkaProducer<>(
            infra.kafka().producerProperties(), new StringSerializer(), new ProtobufSerializer<>());
  }

  @AfterAll
  void stop() {
    producer.close();
    aliases.close();
    channel.shutdownNow();
    events.close();
    aliasEvents.close();
    server.close();
    model.close();
  }

  @Test
  void corruptWeightsAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
    assertFaultyV2IsRefused(
        "corrupt",
        dir,
        GOOD,
        a -> {},
        files ->
            overwrite(
                files.resolve(PeftAdapters.WEIGHTS), "not a safetensors file, truncated upload"),
        model.id().sha256(),
        PeftAdapters.WEIGHTS);
  }

  @Test
  void anotherBaseModelIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
    assertFaultyV2IsRefused(
        "rebased", dir, GOOD, a -> {}, files -> {}, "0".repeat(64), "trained on base model");
  }

  @Test
  void aRankAboveTheServedMaximumIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
    assertFaultyV2IsRefused(
        "wide",
        dir,
        LoraSpec.of(MAX_RANK * 2, 16f, LoraTarget.Q, LoraTarget.V),
        a -> {},
        files -> {},
        model.id().sha256(),
        "LoRA rank 32, above the served maximum of 16 (tuneloop.inference.max-adapter-rank)");
  }

  @Test
  void nanWeightsAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
    assertFaultyV2IsRefused(
        "nan",
        dir,
        GOOD,
        a -> a.b(1, LoraTarget.V).set(new NDIndex("3, 2"), Float.NaN),
        files -> {},
        model.id().sha256(),
        "layers.1.self_attn.v_proj.lora_B.weight contains NaN");
  }

  @Test
  void infiniteWeightsAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
    assertFaultyV2IsRefused(
        "inf",
        dir,
        GOOD,
        a -> a.a(0, LoraTarget.Q).set(new NDIndex("0, 5"), Float.NEGATIVE_INFINITY),
        files -> {},
        model.id().sha256(),
        "layers.0.self_attn.q_proj.lora_A.weight contains -Infinity");
  }

  /**
   * v1 good and production; v2 written with {@code v2Spec}, changed by {@code tamperWeights} before
   * saving and by {@code tamperFiles} after, announced with {@code v2BaseSha}, made the candidate,
   * then promoted.
   */
  private void assertFaultyV2IsRefused(
      String name,
      Path dir,
      LoraSpec v2Spec,
      Consumer<LoraAdapter> tamperWeights,
      Consumer<Path> tamperFiles,
      String v2BaseSha,
      String reason)
      throws Exception {
    AdapterPublished v1 = publish(name, "v1", dir, GOOD, a -> {}, f -> {}, model.id().sha256());
    aliases.promote(v1);
    assertThat(awaitListed(name, "v1").getLoaded()).isTrue();
    ChatResponse before = inference.chat(request(name));
    assertThat(before.getAdapterVersion()).isEqualTo("v1");

    AdapterPublished v2 = publish(name, "v2", dir, v2Spec, tamperWeights, tamperFiles, v2BaseSha);
    aliases.write(TENANT, name, Map.of("production", v1, "candidate", v2));
    // once the candidate record is read, name@candidate is v2, which fails to load
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> code(() -> inference.chat(request(name + "@candidate"))) == UNAVAILABLE);

    assertThatThrownBy(() -> inference.chat(request(name + "@candidate")))
        .hasMessageContaining("candidate version v2")
        .hasMessageContaining(reason);
    ChatResponse after = inference.chat(request(name));
    assertThat(after.getAdapterVersion()).isEqualTo("v1");
    assertThat(after.getText()).isEqualTo(before.getText());
    assertThatThrownBy(() -> inference.chat(request(name + "@v2")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageContaining(reason);
    AdapterInfo listed = awaitListed(name, "v1");
    assertThat(listed.getServingVersion()).isEqualTo("v1");
    assertThat(listed.getAliasesMap()).containsEntry("candidate", "v2");

    aliases.promote(v2); // production is v2 now: the name is unavailable, v1 does not stand in
    AdapterInfo promoted = awaitListed(name, "v2");
    assertThat(promoted.getLoaded()).isFalse();
    assertThat(promoted.getLoadError()).contains("v2").contains(reason);
    assertThat(promoted.getServingVersion()).isEqualTo("v2");
    assertThatThrownBy(() -> inference.chat(request(name)))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(UNAVAILABLE))
        .hasMessageContaining("production version v2")
        .hasMessageContaining(reason)
        .hasMessageContaining("/v1/adapters/" + name + "/promote");
  }

  private static Status.Code code(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  private static ChatRequest request(String adapter) {
    return ChatRequest.newBuilder()
        .setTenant(TENANT)
        .setAdapter(adapter)
        .addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent("Once upon"))
        .setSampling(SamplingParams.newBuilder().setMaxTokens(16))
        .build();
  }

  /** Writes the adapter as the trainer would, uploads it, then announces it on the topic. */
  private AdapterPublished publish(
      String name,
      String version,
      Path dir,
      LoraSpec spec,
      Consumer<LoraAdapter> tamperWeights,
      Consumer<Path> tamperFiles,
      String baseSha)
      throws Exception {
    Path adapterDir = Files.createDirectories(dir.resolve(name + "-" + version));
    TestAdapters.writePeftAdapter(model, adapterDir, spec, 0.5f, 11, tamperWeights);
    tamperFiles.accept(adapterDir);
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
            .setBaseModelSha256(baseSha)
            .build();
    producer
        .send(new ProducerRecord<>(topic, Topics.versionKey(TENANT, name, version), published))
        .get();
    return published;
  }

  /** The listing of {@code name} once production is {@code version} and it loaded or failed. */
  private AdapterInfo awaitListed(String name, String version) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                inference
                    .listAdapters(ListAdaptersRequest.newBuilder().setTenant(TENANT).build())
                    .getAdaptersList()
                    .stream()
                    .filter(
                        a ->
                            a.getAdapter().getName().equals(name)
                                && a.getAdapter().getVersion().equals(version)
                                && (a.getLoaded() || !a.getLoadError().isEmpty()))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private static void overwrite(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
