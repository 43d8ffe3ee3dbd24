package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.GatewayHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Auth, input errors, upstream outages and the dashboard, with every upstream service down. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayRestTest implements TestPropertyProvider {
  private static final String KEY = "sk-test-acme";

  @Inject EmbeddedServer server;

  private GatewayHttp http;

  @Override
  public Map<String, String> getProperties() {
    String down = "localhost:" + GatewayHttp.closedPort();
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
            "micronaut.server.port",
            "-1",
            "grpc.server.port",
            "${random.port}"));
  }

  @BeforeEach
  void client() {
    http = new GatewayHttp(server.getURL());
  }

  @Test
  void missingOrInvalidApiKeyIs401WithAJsonError() throws Exception {
    HttpResponse<String> missing = http.post("/v1/chat/completions", "{}", null);
    HttpResponse<String> invalid = http.get("/v1/jobs", "sk-wrong");

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(json(missing).at("/error/message").asText()).contains("Missing API key");
    assertThat(invalid.statusCode()).isEqualTo(401);
    assertThat(json(invalid).at("/error/message").asText()).isEqualTo("Invalid API key.");
    assertThat(json(invalid).at("/error/type").asText()).isEqualTo("authentication_error");
  }

  @Test
  void malformedJsonIs400SayingWhere() throws Exception {
    HttpResponse<String> response =
        http.post("/v1/chat/completions", "{\"model\": \"base\",\n \"messages\": [", KEY);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).at("/error/message").asText()).startsWith("Malformed JSON at line 2");
  }

  @Test
  void aBadFieldIs400NamingIt() throws Exception {
    HttpResponse<String> chat =
        http.post(
            "/v1/chat/completions",
            "{\"model\": \"base\", \"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}",
            KEY);
    HttpResponse<String> transcript =
        http.post(
            "/v1/datasets/support/transcripts", "{\"turns\": [{\"speaker\": \"customer\"}]}", KEY);
    HttpResponse<String> job =
        http.post("/v1/jobs", "{\"adapter_name\": \"bot\", \"lora\": {\"lora_r\": \"x\"}}", KEY);
    HttpResponse<String> dataset = http.post("/v1/datasets/bad%20name/examples", "{}", KEY);

    assertThat(chat.statusCode()).isEqualTo(400);
    assertThat(json(chat).at("/error/param").asText()).isEqualTo("messages[0].role");
    assertThat(transcript.statusCode()).isEqualTo(400);
    assertThat(json(transcript).at("/error/param").asText()).isEqualTo("turns[0].text");
    assertThat(job.statusCode()).isEqualTo(400);
    assertThat(json(job).at("/error/message").asText()).contains("lora_r");
    assertThat(dataset.statusCode()).isEqualTo(400);
    assertThat(json(dataset).at("/error/param").asText()).isEqualTo("dataset");
  }

  @Test
  void anUnavailableUpstreamIs503NamingTheService() throws Exception {
    HttpResponse<String> jobs = http.get("/v1/jobs", KEY);
    HttpResponse<String> examples =
        http.post(
            "/v1/datasets/support/examples", "{\"prompt\": \"Hi\", \"response\": \"Hello\"}", KEY);
    HttpResponse<String> chat =
        http.post(
            "/v1/chat/completions",
            "{\"model\": \"base\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}",
            KEY);
    HttpResponse<String> stats = http.get("/v1/datasets/support/stats", KEY);

    assertThat(jobs.statusCode()).isEqualTo(503);
    assertThat(json(jobs).at("/error/message").asText())
        .startsWith("trainer-service is unavailable");
    assertThat(examples.statusCode()).isEqualTo(503);
    assertThat(json(examples).at("/error/message").asText())
        .startsWith("ingest-service is unavailable");
    assertThat(chat.statusCode()).isEqualTo(503);
    assertThat(json(chat).at("/error/message").asText())
        .startsWith("inference-service is unavailable");
    assertThat(stats.statusCode()).isEqualTo(503);
    assertThat(json(stats).at("/error/message").asText())
        .startsWith("curation-service is unavailable");
  }

  @Test
  void dashboardAndHealthAreServedWithoutAKey() throws Exception {
    HttpResponse<String> page = http.get("/", null);
    HttpResponse<String> script = http.get("/assets/dashboard.js", null);
    HttpResponse<String> health = http.get("/health/liveness", null);
    // /health needs no key either; it answers 503 here because this test's upstreams are down
    HttpResponse<String> readiness = http.get("/health", null);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>tuneloop</title>");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.body()).contains("/v1/chat/completions");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(readiness.statusCode()).isEqualTo(503);
    assertThat(readiness.body()).contains("\"upstreams\"");
  }
}
