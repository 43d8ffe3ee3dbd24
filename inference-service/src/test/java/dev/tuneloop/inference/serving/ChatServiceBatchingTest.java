package dev.tuneloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.inference.TestAdapters;
import dev.tuneloop.inference.TestAliases;
import dev.tuneloop.inference.adapters.AdapterRegistry;
import dev.tuneloop.inference.adapters.AdapterSlots;
import dev.tuneloop.inference.adapters.ServedAdapter;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.generate.GenerationResult;
import dev.tuneloop.llm.generate.Generator;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.proto.v1.AdapterInfo;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.Role;
import dev.tuneloop.proto.v1.SamplingParams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests waiting together are decoded in one batch, each through its own adapter (two adapters
 * and the base model here), and each gets exactly the answer the LLM core's single-sequence
 * Generator gives it alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatServiceBatchingTest {
  private static final String TENANT = "acme";

  private LoadedModel model;
  private AdapterSlots slots;
  private AdapterRegistry<ServedAdapter> adapters;
  private LlmChatEngine engine;
  private ChatService chats;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    model = BuiltinModels.stories260K();
    slots = new AdapterSlots(model, 16);
    adapters =
        new AdapterRegistry<>(
            4,
            slots.slotting(
                published ->
                    new ServedAdapter(
                        PeftAdapters.load(Path.of(published.getLocation()), model), "")));
    engine = LlmChatEngine.forModel(model, slots.resident());
    chats =
        new ChatService(
            adapters, engine, 1, 8, 16, meters); // one worker: what waits behind it batches
    publish("alpha", 7, dir);
    publish("beta", 8, dir);
    for (String name : List.of("alpha", "beta")) {
      await()
          .until(
              () ->
                  adapters.list(TENANT).stream()
                      .filter(a -> a.getAdapter().getName().equals(name))
                      .anyMatch(AdapterInfo::getLoaded));
    }
  }

  @AfterAll
  void stop() {
    chats.close();
    adapters.close();
    slots.close();
    model.close();
  }

  private void publish(String name, long seed, Path dir) throws Exception {
    Path adapterDir = Files.createDirectories(dir.resolve(name));
    TestAdapters.writeRandomPeftAdapter(model, adapterDir, 0.5f, seed);
    AdapterPublished published =
        AdapterPublished.newBuilder()
            .setTenant(TENANT)
            .setName(name)
            .setVersion("v1")
            .setLocation(adapterDir.toString())
            .setBaseModelSha256(model.id().sha256())
            .build();
    adapters.publish(published);
    adapters.setAliases(TestAliases.production(published, 1));
  }

  private static ChatRequest request(String adapter, String prompt, int maxTokens) {
    return ChatRequest.newBuilder()
        .setTenant(TENANT)
        .setAdapter(adapter)
        .addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent(prompt))
        .setSampling(SamplingParams.newBuilder().setMaxTokens(maxTokens))
        .build();
  }

  @Test
  void concurrentRequestsForTwoAdaptersAndTheBaseAreServedInOneBatchEachWithItsSoloAnswer()
      throws Exception {
    CountDownLatch blockerRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<ChatService.Result> blocker =
        chats.chat(
            request("", "Hello", 3),
            piece -> {
              blockerRunning.countDown();
              pass(release); // holds the only worker while the others queue up behind it
            },
            () -> false);
    pass(blockerRunning);
    double batchesBefore = meters.get("tuneloop.inference.batch.size").summary().count();

    List<ChatRequest> requests =
        List.of(
            request("", "Once upon a time", 40),
            request("alpha", "Once upon a time", 40),
            request("beta", "The little bird wanted to fly over the big hill", 40));
    List<StringBuilder> streams = new ArrayList<>();
    List<CompletableFuture<ChatService.Result>> futures = new ArrayList<>();
    for (ChatRequest request : requests) {
      StringBuilder streamed = new StringBuilder();
      streams.add(streamed);
      futures.add(chats.chat(request, streamed::append, () -> false));
    }
    await().until(() -> chats.queueDepth() == 3);
    release.countDown();
    blocker.get();

    var batchSizes = meters.get("tuneloop.inference.batch.size").summary();
    for (int i = 0; i < requests.size(); i++) {
      ChatEngine.Outcome outcome = futures.get(i).get().outcome();
      GenerationResult alone = alone(requests.get(i));
      assertThat(outcome.text())
          .isEqualTo(alone.text())
          .isEqualTo(streams.get(i).toString())
          .isNotBlank();
      assertThat(outcome.completionTokens()).isEqualTo(alone.usage().completionTokens());
      assertThat(outcome.promptTokens()).isEqualTo(alone.usage().promptTokens());
    }
    assertThat(batchSizes.count() - batchesBefore).isEqualTo(1); // the three went together
    assertThat(batchSizes.max()).isEqualTo(3.0);
    assertThat(futures.get(1).get().adapterVersion()).isEqualTo("v1");
    assertThat(futures.get(1).get().outcome().text())
        .isNotEqualTo(futures.get(0).get().outcome().text());
  }

  @Test
  void aLongPromptInTheBatchNeverShortensTheAnswerOfAShortOne() throws Exception {
    CountDownLatch blockerRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<ChatService.Result> blocker =
        chats.chat(
            request("", "Hello", 3),
            piece -> {
              blockerRunning.countDown();
              pass(release);
            },
            () -> false);
    pass(blockerRunning);
    // seeded so that alone it runs to max_tokens (480 of the 512-token context)
    ChatRequest shortPrompt =
        request("alpha", "Once upon a time", 0).toBuilder()
            .setSampling(
                SamplingParams.newBuilder().setTemperature(1f).setSeed(2).setMaxTokens(480))
            .build();
    ChatRequest longPrompt =
        request("", "Once upon a time there was a little girl named Lily. ".repeat(28), 60);
    assertThat(engine.prepare(longPrompt.getMessagesList(), "", longPrompt.getSampling()).tokens())
        .hasSizeGreaterThan(300);

    CompletableFuture<ChatService.Result> shortAnswer =
        chats.chat(shortPrompt, piece -> {}, () -> false);
    CompletableFuture<ChatService.Result> longAnswer =
        chats.chat(longPrompt, piece -> {}, () -> false);
    await().until(() -> chats.queueDepth() == 2);
    release.countDown();
    blocker.get();

    GenerationResult shortAlone = alone(shortPrompt);
    assertThat(shortAlone.usage().completionTokens()).isEqualTo(480);
    assertThat(shortAnswer.get().outcome().text()).isEqualTo(shortAlone.text());
    assertThat(shortAnswer.get().outcome().completionTokens()).isEqualTo(480);
    GenerationResult longAlone = alone(longPrompt);
    assertThat(longAnswer.get().outcome().text()).isEqualTo(longAlone.text());
    assertThat(longAnswer.get().outcome().completionTokens())
        .isEqualTo(longAlone.usage().completionTokens());
  }

  /** The core's single-sequence Generator on the same prompt, sampling and adapter. */
  private GenerationResult alone(ChatRequest request) {
    try (var acquired = adapters.acquire(request.getTenant(), request.getAdapter())) {
      Prompt prompt = engine.prepare(request.getMessagesList(), "", request.getSampling());
      LoraSet lora = acquired.adapter() == null ? LoraSet.NONE : acquired.adapter().lora();
      return new Generator(model)
          .generate(prompt.tokens(), prompt.sampling(), lora, (id, text) -> {});
    }
  }

  private static void pass(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
