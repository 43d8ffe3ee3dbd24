package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.GatewayHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuneloop.inference.InferenceConfig;
import dev.tuneloop.inference.InferenceServer;
import dev.tuneloop.inference.adapters.AdapterUnavailableException;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.InferenceServiceGrpc;
import dev.tuneloop.proto.v1.Role;
import dev.tuneloop.proto.v1.SamplingParams;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The OpenAI-compatible API against a real inference gRPC server (the inference module's own, on
 * the real stories260K) started in this test.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiApiTest implements TestPropertyProvider {
  private static final String KEY = "sk-test-acme";
  private static final String PROMPT = "Once upon a time";

  @Inject EmbeddedServer server;

  private LoadedModel model;
  private InferenceServer inference;
  private GatewayHttp http;

  @Override
  public Map<String, String> getProperties() {
    model = BuiltinModels.stories260K();
    InferenceConfig config =
        new InferenceConfig(BuiltinModels.STORIES260K, 2, 2, 16, false, "unused");
    inference =
        InferenceServer.start(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .intercept(TestCredentials.interceptor()),
            model,
            published -> {
              throw new AdapterUnavailableException("no adapters in this test", null);
            },
            config,
            new SimpleMeterRegistry());
    return GatewayHttp.withCredentials(
        Map.of(
            "tuneloop.inference.enabled",
                "false", // the inference module is on the classpath as a library only
            "tuneloop.gateway.upstreams.inference", "localhost:" + inference.port(),
            "tuneloop.gateway.auth.api-keys", KEY + ":acme",
            "micronaut.server.port", "-1",
            "grpc.server.port", "${random.port}"));
  }

  @AfterAll
  void stop() {
    inference.close();
    model.close();
  }

  @BeforeEach
  void client() {
    http = new GatewayHttp(server.getURL());
  }

  private static String chatBody(String model, boolean stream) {
    return """
                {"model": "%s", "stream": %s, "max_tokens": 20,
                 "messages": [{"role": "user", "content": "%s"}]}"""
        .formatted(model, stream, PROMPT);
  }

  /** What the inference service itself answers for the same request, straight over gRPC. */
  private String inferenceText() {
    ManagedChannel channel =
        Grpc.newChannelBuilder("localhost:" + inference.port(), InsecureChannelCredentials.create())
            .build();
    try {
      return TestCredentials.asTenant(InferenceServiceGrpc.newBlockingStub(channel), "acme")
          .chat(
              ChatRequest.newBuilder()
                  .setTenant("acme")
                  .addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent(PROMPT))
                  .setSampling(SamplingParams.newBuilder().setMaxTokens(20))
                  .build())
          .getText();
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void chatCompletionAnswersWithTheModelsTextAndUsage() throws Exception {
    HttpResponse<String> response = http.post("/v1/chat/completions", chatBody("base", false), KEY);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("id").asText()).startsWith("chatcmpl-");
    assertThat(body.get("model").asText()).isEqualTo("base");
    assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
    assertThat(body.at("/choices/0/message/content").asText())
        .isNotBlank()
        .isEqualTo(inferenceText());
    assertThat(body.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
    assertThat(body.at("/usage/completion_tokens").asInt()).isBetween(1, 20);
    assertThat(body.at("/usage/total_tokens").asInt())
        .isEqualTo(
            body.at("/usage/prompt_tokens").asInt() + body.at("/usage/completion_tokens").asInt());
  }

  @Test
  void streamingSendsServerSentEventChunksEndingWithDone() throws Exception {
    HttpResponse<String> response = http.post("/v1/chat/completions", chatBody("base", true), KEY);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
    List<String> events = new ArrayList<>();
    for (String block : response.body().split("\n\n")) {
      if (!block.isBlank()) {
        assertThat(block).startsWith("data: ").doesNotContain("\n");
        events.add(block.substring("data: ".length()));
      }
    }
    assertThat(events.getLast()).isEqualTo("[DONE]");
    assertThat(events).hasSizeGreaterThan(3);
    StringBuilder text = new StringBuilder();
    JsonNode last = null;
    for (String event : events.subList(0, events.size() - 1)) {
      last = GatewayHttp.JSON.readTree(event);
      assertThat(last.get("object").asText()).isEqualTo("chat.completion.chunk");
      text.append(last.at("/choices/0/delta/content").asText(""));
    }
    assertThat(GatewayHttp.JSON.readTree(events.getFirst()).at("/choices/0/delta/role").asText())
        .isEqualTo("assistant");
    assertThat(last.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
    assertThat(last.at("/usage/completion_tokens").asInt()).isPositive();
    assertThat(text.toString()).isEqualTo(inferenceText());
  }

  @Test
  void unknownModelIs404NamingItStreamingOrNot() throws Exception {
    HttpResponse<String> unary =
        http.post("/v1/chat/completions", chatBody("nonexistent", false), KEY);
    HttpResponse<String> stream =
        http.post("/v1/chat/completions", chatBody("nonexistent", true), KEY);

    assertThat(unary.statusCode()).isEqualTo(404);
    assertThat(json(unary).at("/error/message").asText())
        .contains("unknown adapter \"nonexistent\"");
    assertThat(stream.statusCode()).isEqualTo(404);
    assertThat(json(stream).at("/error/message").asText()).contains("\"nonexistent\"");
  }

  @Test
  void modelsListsTheBaseModel() throws Exception {
    HttpResponse<String> response = http.get("/v1/models", KEY);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("object").asText()).isEqualTo("list");
    assertThat(json(response).at("/data/0/id").asText()).isEqualTo("base");
  }

  @Test
  void retrievingAModelAnswersItsObjectOrA404InOpenAiShape() throws Exception {
    // Before, GET /v1/models/{model} had no route: a 404 in the HTTP server's own format.
    HttpResponse<String> base = http.get("/v1/models/base", KEY);
    HttpResponse<String> unknown = http.get("/v1/models/nonexistent", KEY);

    assertThat(base.statusCode()).isEqualTo(200);
    assertThat(json(base).get("id").asText()).isEqualTo("base");
    assertThat(json(base).get("object").asText()).isEqualTo("model");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).at("/error/param").asText()).isEqualTo("model");
    assertThat(json(unknown).at("/error/message").asText()).contains("'nonexistent'");
    assertThat(json(unknown).at("/error/code").asInt()).isEqualTo(404);
  }
}
