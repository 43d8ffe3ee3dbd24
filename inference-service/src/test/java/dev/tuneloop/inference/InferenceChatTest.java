package dev.tuneloop.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.inference.adapters.AdapterUnavailableException;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.proto.v1.ChatChunk;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.ChatResponse;
import dev.tuneloop.proto.v1.FinishReason;
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
import java.util.Iterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The inference gRPC service on the real stories260K, base model only: unary, streaming, errors,
 * metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InferenceChatTest {
  private LoadedModel model;
  private InferenceServer server;
  private ManagedChannel channel;
  private InferenceServiceGrpc.InferenceServiceBlockingStub inference;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  void start() {
    model = BuiltinModels.stories260K();
    InferenceConfig config =
        new InferenceConfig(BuiltinModels.STORIES260K, 2, 2, 16, false, "unused");
    server =
        InferenceServer.start(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .intercept(TestCredentials.interceptor()),
            model,
            published -> {
              throw new AdapterUnavailableException("no adapters in this test", null);
            },
            config,
            meters);
    channel =
        Grpc.newChannelBuilder("localhost:" + server.port(), InsecureChannelCredentials.create())
            .build();
    inference = TestCredentials.asTenant(InferenceServiceGrpc.newBlockingStub(channel), "acme");
  }

  @AfterAll
  void stop() {
    channel.shutdownNow();
    server.close();
    model.close();
  }

  static ChatRequest request(String adapter, String prompt, SamplingParams sampling) {
    return ChatRequest.newBuilder()
        .setTenant("acme")
        .setAdapter(adapter)
        .addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent(prompt))
        .setSampling(sampling)
        .build();
  }

  private static ChatRequest greedy(String prompt, int maxTokens) {
    return request("", prompt, SamplingParams.newBuilder().setMaxTokens(maxTokens).build());
  }

  @Test
  void streamingYieldsTheSameTextAsUnaryAndEndsWithFinishReasonAndUsage() {
    ChatRequest request = greedy("Lily and Ben", 40);
    ChatResponse unary = inference.chat(request);

    StringBuilder streamed = new StringBuilder();
    ChatChunk last = null;
    int chunks = 0;
    for (Iterator<ChatChunk> it = inference.chatStream(request); it.hasNext(); chunks++) {
      last = it.next();
      streamed.append(last.getDelta());
    }
    assertThat(unary.getText()).isNotBlank();
    assertThat(chunks).isGreaterThan(2);
    assertThat(streamed.toString()).isEqualTo(unary.getText());
    assertThat(last.getFinishReason())
        .isEqualTo(unary.getFinishReason())
        .isNotEqualTo(FinishReason.FINISH_REASON_UNSPECIFIED);
    assertThat(last.getUsage()).isEqualTo(unary.getUsage());
    assertThat(unary.getUsage().getPromptTokens()).isPositive();
    assertThat(unary.getUsage().getCompletionTokens()).isBetween(1, 40);
  }

  @Test
  void maxTokensEndsTheAnswerWithLength() {
    ChatResponse response = inference.chat(greedy("Once upon a time", 3));

    assertThat(response.getUsage().getCompletionTokens()).isEqualTo(3);
    assertThat(response.getFinishReason()).isEqualTo(FinishReason.FINISH_REASON_LENGTH);
  }

  @Test
  void sameSeedSameSampledAnswer() {
    SamplingParams sampled =
        SamplingParams.newBuilder()
            .setTemperature(1.0f)
            .setTopP(0.9f)
            .setSeed(1234)
            .setMaxTokens(30)
            .build();
    ChatRequest request = request("", "The dog", sampled);

    assertThat(inference.chat(request).getText()).isEqualTo(inference.chat(request).getText());
  }

  @Test
  void unknownAdapterIsNotFoundNamingItOnBothRpcs() {
    ChatRequest request = greedy("Hi", 5).toBuilder().setAdapter("no-such-adapter").build();

    assertThatThrownBy(() -> inference.chat(request))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription())
                  .contains("unknown adapter \"no-such-adapter\"");
            });
    assertThatThrownBy(() -> inference.chatStream(request).hasNext())
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void badRequestsAreInvalidArgument() {
    ChatRequest noMessages = ChatRequest.newBuilder().setTenant("acme").build();
    ChatRequest badTopP = request("", "Hi", SamplingParams.newBuilder().setTopP(1.5f).build());
    ChatRequest assistantFirst =
        ChatRequest.newBuilder()
            .setTenant("acme")
            .addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_ASSISTANT).setContent("Hello"))
            .addMessages(
                ChatMessage.newBuilder().setRole(Role.ROLE_ASSISTANT).setContent("Hello again"))
            .build();
    ChatRequest tooLong = request("", "cat ".repeat(2000), SamplingParams.getDefaultInstance());

    for (ChatRequest bad : new ChatRequest[] {noMessages, badTopP, assistantFirst, tooLong}) {
      assertThatThrownBy(() -> inference.chat(bad))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
  }

  @Test
  void askingForMoreTokensThanTheOperatorAllowsIsInvalidArgumentNamingTheSetting() {
    ChatRequest greedy =
        request(
            "",
            "Hi",
            SamplingParams.newBuilder()
                .setMaxTokens(InferenceConfig.DEFAULT_MAX_TOKENS + 1)
                .build());

    assertThatThrownBy(() -> inference.chat(greedy))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("sampling.max_tokens: 4097 is over this server's limit of 4096")
                  .contains("tuneloop.inference.max-tokens");
            });
    // at the limit it is served (the model's context ends it sooner)
    assertThat(
            inference
                .chat(
                    request(
                        "",
                        "Hi",
                        SamplingParams.newBuilder()
                            .setMaxTokens(InferenceConfig.DEFAULT_MAX_TOKENS)
                            .build()))
                .getText())
        .isNotNull();
  }

  @Test
  void listAdaptersIsEmptyWithoutPublications() {
    assertThat(
            inference
                .listAdapters(ListAdaptersRequest.newBuilder().setTenant("acme").build())
                .getAdaptersList())
        .isEmpty();
  }

  @Test
  void metricsCountTokensAndTimeToFirstToken() {
    double before = meters.get("tuneloop.inference.tokens.generated").counter().count();
    ChatResponse response = inference.chat(greedy("A little bird", 10));

    assertThat(meters.get("tuneloop.inference.tokens.generated").counter().count() - before)
        .isEqualTo(response.getUsage().getCompletionTokens());
    assertThat(meters.get("tuneloop.inference.time.to.first.token").timer().count()).isPositive();
    assertThat(meters.get("tuneloop.inference.queue.depth").gauge().value()).isZero();
  }
}
