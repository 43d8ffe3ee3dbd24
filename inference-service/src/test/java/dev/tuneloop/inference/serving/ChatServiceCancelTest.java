package dev.tuneloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.inference.adapters.AdapterRegistry;
import dev.tuneloop.inference.adapters.AdapterUnavailableException;
import dev.tuneloop.inference.adapters.ServedAdapter;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.Role;
import dev.tuneloop.proto.v1.SamplingParams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A cancelled request stops generating at the next token, and one cancelled while queued never
 * starts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatServiceCancelTest {
  private LoadedModel model;
  private AdapterRegistry<ServedAdapter> adapters;
  private ChatService chats;
  private final AtomicInteger generationsStarted = new AtomicInteger();

  @BeforeAll
  void start() {
    model = BuiltinModels.stories260K();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    adapters =
        new AdapterRegistry<>(
            1,
            p -> {
              throw new AdapterUnavailableException("none", null);
            });
    ChatEngine engine = LlmChatEngine.forModel(model, null);
    ChatEngine counting =
        new ChatEngine() {
          @Override
          public Prompt prepare(List<ChatMessage> messages, String template, SamplingParams p) {
            return engine.prepare(messages, template, p);
          }

          @Override
          public List<Outcome> generate(List<Generation> batch) {
            generationsStarted.addAndGet(batch.size());
            return engine.generate(batch);
          }
        };
    chats = new ChatService(adapters, counting, 1, 8, 4, meters);
  }

  @AfterAll
  void stop() {
    chats.close();
    adapters.close();
    model.close();
  }

  private static ChatRequest request(int maxTokens) {
    return ChatRequest.newBuilder()
        .setTenant("acme")
        .addMessages(
            ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent("Once upon a time"))
        .setSampling(
            SamplingParams.newBuilder().setTemperature(1f).setSeed(5).setMaxTokens(maxTokens))
        .build();
  }

  @Test
  void cancellingMidwayStopsAtTheNextToken() throws Exception {
    List<String> pieces = new ArrayList<>();
    ChatService.Result result =
        chats.chat(request(200), pieces::add, () -> pieces.size() >= 3).get();

    assertThat(result.outcome().cancelled()).isTrue();
    assertThat(result.outcome().completionTokens()).isLessThan(10);
    assertThat(String.join("", pieces)).isEqualTo(result.outcome().text());
  }

  @Test
  void aRequestCancelledWhileQueuedNeverStarts() throws Exception {
    List<String> pieces = new ArrayList<>();
    int startedBefore = generationsStarted.get();
    ChatService.Result result = chats.chat(request(50), pieces::add, () -> true).get();

    assertThat(generationsStarted.get()).isEqualTo(startedBefore);
    assertThat(result.outcome().cancelled()).isTrue();
    assertThat(result.outcome().completionTokens()).isZero();
    assertThat(pieces).isEmpty();
  }
}
