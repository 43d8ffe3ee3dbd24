package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.GatewayHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every error the gateway answers, from its own code or from the HTTP server underneath, is
 * OpenAI's {@code {"error": {"message", "type", "param", "code"}}} and names no internals.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayErrorShapeTest implements TestPropertyProvider {
  private static final String KEY = "sk-test-acme";
  private static final int MAX_BODY = 64 * 1024;

  @Inject EmbeddedServer server;

  private GatewayHttp http;
  private final HttpClient raw = HttpClient.newHttpClient();
  private final String down = "localhost:" + GatewayHttp.closedPort();

  @Override
  public Map<String, String> getProperties() {
    return GatewayHttp.withCredentials(
        Map.of(
            "tuneloop.gateway.upstreams.inference",
            down,
            "tuneloop.gateway.upstreams.ingest",
            down,
            "tuneloop.gateway.upstreams.trainer",
            down,
            "tuneloop.gateway.upstreams.curation",
            down,
            "tuneloop.gateway.upstreams.call-timeout",
            "5s",
            "tuneloop.gateway.auth.api-keys",
            KEY + ":acme",
            "micronaut.server.max-request-size",
            Integer.toString(MAX_BODY),
            "micronaut.server.port",
            "-1",
            "grpc.server.port",
            "${random.port}"));
  }

  @BeforeEach
  void client() {
    http = new GatewayHttp(server.getURL());
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.getURL() + path))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return raw.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The OpenAI error shape, with the status repeated as code; returns the error object. */
  private static JsonNode assertOpenAiError(HttpResponse<String> response, int status)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode root = json(response);
    assertThat(root.size()).as(response.body()).isEqualTo(1);
    JsonNode error = root.get("error");
    assertThat(error).as(response.body()).isNotNull();
    assertThat(error.get("message").isTextual()).isTrue();
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("type").isTextual()).isTrue();
    assertThat(error.has("param")).isTrue();
    assertThat(error.get("code").asInt()).isEqualTo(status);
    assertNoInternals(response.body());
    return error;
  }

  private static final List<Pattern> INTERNALS =
      List.of(
          Pattern.compile("localhost:\\d+|127\\.0\\.0\\.1|\\b\\w+\\.\\w+:\\d{2,5}\\b"),
          Pattern.compile("\\bat [a-z][\\w$.]+\\([\\w$]+\\.java:\\d+\\)"), // a stack frame
          Pattern.compile("(io\\.grpc|io\\.micronaut|java\\.lang|dev\\.tuneloop)\\.\\w+"),
          Pattern.compile("Exception|tuneloop-secret|s3://|bucket"));

  static void assertNoInternals(String body) {
    for (Pattern p : INTERNALS) {
      assertThat(p.matcher(body).find()).as("%s leaks %s", body, p).isFalse();
    }
  }

  @Test
  void anEmptyBodyIs400InOpenAiShape() throws Exception {
    for (String path :
        List.of("/v1/chat/completions", "/v1/jobs", "/v1/datasets/support/examples")) {
      JsonNode error = assertOpenAiError(send("POST", path, null), 400);
      assertThat(error.get("message").asText()).as(path).contains("empty");
    }
  }

  @Test
  void anUnknownRouteIs404InOpenAiShape() throws Exception {
    JsonNode error = assertOpenAiError(send("GET", "/v1/no-such-thing", null), 404);
    assertThat(error.get("message").asText()).contains("/v1/no-such-thing");
  }

  @Test
  void aWrongMethodIs405InOpenAiShape() throws Exception {
    JsonNode error = assertOpenAiError(send("DELETE", "/v1/chat/completions", null), 405);
    assertThat(error.get("message").asText()).contains("DELETE").contains("POST");
  }

  @Test
  void anOversizedBodyIs413InOpenAiShapeNamingTheSetting() throws Exception {
    String big =
        "{\"model\": \"base\", \"messages\": [{\"role\": \"user\", \"content\": \""
            + "x".repeat(MAX_BODY + 1)
            + "\"}]}";
    JsonNode error = assertOpenAiError(send("POST", "/v1/chat/completions", big), 413);
    assertThat(error.get("message").asText())
        .contains(Integer.toString(MAX_BODY))
        .contains("micronaut.server.max-request-size");
  }

  @Test
  void anUnknownModelIs404InOpenAiShape() throws Exception {
    // Inference is down here, so the gateway must not even reach it to refuse a malformed id...
    JsonNode error = assertOpenAiError(send("GET", "/v1/models/no%20such", null), 400);
    assertThat(error.get("param").asText()).isEqualTo("model");
    // ...and with inference down, a well-formed id is a 503 naming the service only.
    JsonNode down = assertOpenAiError(send("GET", "/v1/models/support-bot", null), 503);
    assertThat(down.get("message").asText()).startsWith("inference-service is unavailable");
  }

  @Test
  void unavailableUpstreamsNameTheServiceButNotItsAddress() throws Exception {
    assertOpenAiError(http.get("/v1/jobs", KEY), 503);
    assertOpenAiError(
        http.post("/v1/datasets/support/examples", "{\"prompt\": \"a\", \"response\": \"b\"}", KEY),
        503);
  }
}
