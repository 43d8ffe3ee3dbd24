package dev.tuneloop.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.inference.adapters.AdapterEventsConsumer;
import dev.tuneloop.inference.adapters.AdapterRegistry;
import dev.tuneloop.inference.adapters.PeftAdapterLoader;
import dev.tuneloop.inference.serving.ProtoMapping;
import dev.tuneloop.llm.chat.ChatTemplates;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapters published while the inference service is serving, end to end on the real stories260K, a
 * real broker and a real S3 server: hot-loaded from the topic and the object store, verified
 * against the base model, chosen per request.
 */
@WithInfra
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdapterHotLoadTest {
  private static final String TENANT = "acme";

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
  private String aliasesTopic;

  @BeforeAll
  void start(Infra infra) {
    model = BuiltinModels.stories260K();
    store = infra.objectStore();
    topic = infra.topic(Topics.ADAPTERS_PUBLISHED);
    aliasesTopic = infra.topic(Topics.ADAPTERS_ALIASES);
    InferenceConfig config = new InferenceConfig(BuiltinModels.STORIES260K, 2, 2, 16, true, topic);
    server =
        InferenceServer.start(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .intercept(TestCredentials.interceptor()),
            model,
            new PeftAdapterLoader(store, model),
            config,
            new SimpleMeterRegistry());
    events = AdapterEventsConsumer.published(infra.kafka(), topic, server.adapters()::publish);
    aliasEvents =
        AdapterEventsConsumer.aliases(infra.kafka(), aliasesTopic, server.adapters()::setAliases);
    events.start();
    aliasEvents.start();
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

  private static ChatRequest request(String adapter, String prompt) {
    return ChatRequest.newBuilder()
        .setTenant(TENANT)
        .setAdapter(adapter)
        .addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent(prompt))
        .setSampling(SamplingParams.newBuilder().setMaxTokens(24))
        .build();
  }

  /**
   * Writes a PEFT adapter with the LLM core, uploads it where the trainer would, announces it and
   * promotes it to production (as the trainer's gate would).
   */
  private AdapterPublished publish(
      String name, String version, float bScale, String baseSha, Path dir) throws Exception {
    return publish(name, version, bScale, baseSha, dir, null);
  }

  /**
   * @param trainedTemplate written to training.json as the trainer does; null: no training.json
   */
  private AdapterPublished publish(
      String name, String version, float bScale, String baseSha, Path dir, String trainedTemplate)
      throws Exception {
    Path adapterDir = Files.createDirectories(dir.resolve(name + "-" + version));
    TestAdapters.writeRandomPeftAdapter(model, adapterDir, bScale, 7);
    if (trainedTemplate != null) {
      Files.writeString(
          adapterDir.resolve("training.json"), "{\"chat_template\": \"" + trainedTemplate + "\"}");
    }
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
    aliases.promote(published);
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
            java.util.Optional::isPresent)
        .orElseThrow();
  }

  @Test
  void adapterPublishedWhileServingIsHotLoadedAndChangesTheAnswer(@TempDir Path dir)
      throws Exception {
    ChatResponse base = inference.chat(request("", "Once upon a time"));
    assertThat(base.getAdapterVersion()).isEmpty();
    assertThat(base.getUsage().getCompletionTokens()).isPositive();

    publish("storyteller", "v1", 0.5f, model.id().sha256(), dir);
    AdapterInfo listed = awaitListed("storyteller", "v1");
    assertThat(listed.getLoaded()).as(listed.getLoadError()).isTrue();

    ChatResponse tuned = inference.chat(request("storyteller", "Once upon a time"));
    assertThat(tuned.getAdapterVersion()).isEqualTo("v1");
    assertThat(tuned.getAdapterAlias()).isEqualTo("production");
    assertThat(tuned.getText()).isNotEqualTo(base.getText());
    ChatResponse pinned = inference.chat(request("storyteller@v1", "Once upon a time"));
    assertThat(pinned.getText()).isEqualTo(tuned.getText());
    assertThat(pinned.getAdapterAlias()).isEmpty();
    assertThat(listed.getAliasesMap()).containsExactly(java.util.Map.entry("production", "v1"));
    assertThat(listed.getServingVersion()).isEqualTo("v1");
    assertThat(inference.chat(request("", "Once upon a time")).getText()).isEqualTo(base.getText());
  }

  @Test
  void aRestartedServiceReloadsWhatWasPublishedBeforeItStarted(Infra infra, @TempDir Path dir)
      throws Exception {
    publish("veteran", "v1", 0.5f, model.id().sha256(), dir);
    publish("veteran", "v2", 0.5f, model.id().sha256(), dir);
    assertThat(awaitListed("veteran", "v2").getLoaded()).isTrue();

    try (var restarted = new AdapterRegistry<>(2, new PeftAdapterLoader(store, model));
        var replay =
            AdapterEventsConsumer.published(infra.kafka(), topic, restarted::publish).start();
        var aliasReplay =
            AdapterEventsConsumer.aliases(infra.kafka(), aliasesTopic, restarted::setAliases)
                .start()) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  restarted.list(TENANT).stream()
                      .anyMatch(
                          a ->
                              a.getAdapter().getName().equals("veteran")
                                  && a.getAdapter().getVersion().equals("v2")
                                  && a.getLoaded()));
      await().atMost(Duration.ofSeconds(30)).until(replay::caughtUp);
      await().atMost(Duration.ofSeconds(30)).until(aliasReplay::caughtUp);
      try (var acquired = restarted.acquire(TENANT, "veteran")) {
        assertThat(acquired.version()).isEqualTo("v2");
      }
    }
  }

  @Test
  void anotherTenantNeitherListsNorChatsWithTheAdapter(@TempDir Path dir) throws Exception {
    publish("private", "v1", 0.5f, model.id().sha256(), dir);
    assertThat(awaitListed("private", "v1").getLoaded()).isTrue();
    var globex =
        TestCredentials.withKey(
            InferenceServiceGrpc.newBlockingStub(channel), TestCredentials.GLOBEX_KEY);

    assertThat(globex.listAdapters(ListAdaptersRequest.getDefaultInstance()).getAdaptersList())
        .noneMatch(a -> a.getAdapter().getName().equals("private"));
    assertThatThrownBy(
            () -> globex.listAdapters(ListAdaptersRequest.newBuilder().setTenant(TENANT).build()))
        .hasMessageContaining("PERMISSION_DENIED");
    assertThatThrownBy(() -> globex.chat(request("private", "Hi"))) // names tenant acme
        .hasMessageContaining("PERMISSION_DENIED");
    assertThatThrownBy(
            () -> globex.chat(request("private", "Hi").toBuilder().clearTenant().build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(
            () ->
                InferenceServiceGrpc.newBlockingStub(channel)
                    .chat(request("private", "Hi").toBuilder().clearTenant().build()))
        .hasMessageContaining("UNAUTHENTICATED");
  }

  @Test
  void anAdapterWithZeroUpdateAnswersExactlyAsTheBase(@TempDir Path dir) throws Exception {
    publish("identity", "v1", 0f, model.id().sha256(), dir);
    assertThat(awaitListed("identity", "v1").getLoaded()).isTrue();

    assertThat(inference.chat(request("identity", "The cat")).getText())
        .isEqualTo(inference.chat(request("", "The cat")).getText());
  }

  @Test
  void theTemplateTheAdapterWasTrainedWithRendersItsPrompts(@TempDir Path dir) throws Exception {
    publish("chatml-identity", "v1", 0f, model.id().sha256(), dir, "chatml");
    assertThat(awaitListed("chatml-identity", "v1").getLoaded()).isTrue();
    var messages = ProtoMapping.messages(request("", "The cat").getMessagesList());
    int chatmlPrompt =
        ChatTemplates.named("chatml").tokenizePrompt(messages, model.tokenizer()).length;
    int defaultPrompt =
        ChatTemplates.defaultFor(model.tokenizer())
            .tokenizePrompt(messages, model.tokenizer())
            .length;

    assertThat(chatmlPrompt).isNotEqualTo(defaultPrompt);
    assertThat(inference.chat(request("chatml-identity", "The cat")).getUsage().getPromptTokens())
        .isEqualTo(chatmlPrompt);
    assertThat(inference.chat(request("", "The cat")).getUsage().getPromptTokens())
        .isEqualTo(defaultPrompt);
  }

  @Test
  void anAdapterForAnotherBaseModelIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
    publish("alien", "v1", 0.5f, "0".repeat(64), dir);
    AdapterInfo listed = awaitListed("alien", "v1");

    assertThat(listed.getLoaded()).isFalse();
    assertThat(listed.getLoadError()).contains("trained on base model").contains("stories260K");
    assertThatThrownBy(() -> inference.chat(request("alien@v1", "Hi")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION))
        .hasMessageContaining("trained on base model");
    // production points at it: no other version answers instead, the name is unavailable
    assertThatThrownBy(() -> inference.chat(request("alien", "Hi")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
        .hasMessageContaining("production version v1")
        .hasMessageContaining("trained on base model");
  }
}
