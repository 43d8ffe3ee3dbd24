package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.GatewayHttp.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuneloop.inference.InferenceConfig;
import dev.tuneloop.inference.InferenceServer;
import dev.tuneloop.inference.adapters.AdapterUnavailableException;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A non-streaming chat completion whose HTTP client disconnects mid-generation is cancelled all the
 * way down: the gateway cancels its gRPC call and the real inference service (stories260K) stops
 * decoding that sequence, as its meters show.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChatDisconnectTest implements TestPropertyProvider {
  private static final String KEY = "sk-test-disconnect";

  /** Seeded sampling that, undisturbed, runs to max_tokens (asserted below, not assumed). */
  private static final String BODY =
      """
      {"model": "base", "max_tokens": 480, "temperature": 1.0, "seed": 2,
       "messages": [{"role": "user", "content": "Once upon a time"}]}""";

  @Inject EmbeddedServer server;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private LoadedModel model;
  private InferenceServer inference;

  @Override
  public Map<String, String> getProperties() {
    model = BuiltinModels.stories260K();
    inference =
        InferenceServer.start(
            Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .intercept(TestCredentials.interceptor()),
            model,
            published -> {
              throw new AdapterUnavailableException("no adapters in this test", null);
            },
            new InferenceConfig(BuiltinModels.STORIES260K, 1, 1, 16, false, "unused"),
            meters);
    return GatewayHttp.withCredentials(
        Map.of(
            "tuneloop.inference.enabled", "false",
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

  private double active() {
    return meters.get("tuneloop.inference.active").gauge().value();
  }

  private double generatedTokens() {
    return meters.get("tuneloop.inference.tokens.generated").counter().count();
  }

  private double cancelledWhileGenerating() {
    return meters.get("tuneloop.inference.cancelled").tag("stage", "generating").counter().count();
  }

  @Test
  void aClientThatDisconnectsMidGenerationStopsTheDecodingUpstream() throws Exception {
    // undisturbed, the same request generates every one of its tokens
    var full = new GatewayHttp(server.getURL()).post("/v1/chat/completions", BODY, KEY);
    assertThat(full.statusCode()).as(full.body()).isEqualTo(200);
    JsonNode answer = json(full);
    assertThat(answer.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    int fullTokens = answer.at("/usage/completion_tokens").asInt();
    assertThat(fullTokens).isEqualTo(480);
    double tokensBefore = generatedTokens();

    try (Socket client = new Socket(server.getHost(), server.getPort())) {
      byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
      OutputStream out = client.getOutputStream();
      out.write(
          ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                  + "Authorization: Bearer "
                  + KEY
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(2))
          .until(() -> active() == 1);
      client.setSoLinger(true, 0); // the client vanishes: a reset, as a killed process does
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> active() == 0);
    assertThat(cancelledWhileGenerating()).isEqualTo(1);
    assertThat(generatedTokens() - tokensBefore).isLessThan(fullTokens);
  }
}
