package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.GatewayHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gateway's limits agree with the services': names and idempotency keys by the shared rule,
 * bodies by the services' gRPC message size (with the gateway's normal settings: no limit is
 * overridden here), snapshot keys within the caller's datasets. Refused input never reaches the
 * (recording) upstreams.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayLimitsTest implements TestPropertyProvider {
  private static final String ACME = "sk-acme";

  @Inject EmbeddedServer server;

  private RecordingUpstreams upstreams;
  private GatewayHttp http;

  @Override
  public Map<String, String> getProperties() {
    try {
      upstreams = new RecordingUpstreams();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return GatewayHttp.withCredentials(
        Map.of(
            "tuneloop.gateway.upstreams.ingest", upstreams.target(),
            "tuneloop.gateway.upstreams.curation", upstreams.target(),
            "tuneloop.gateway.upstreams.trainer", upstreams.target(),
            "tuneloop.gateway.upstreams.inference", upstreams.target(),
            "tuneloop.gateway.auth.api-keys", ACME + ":acme",
            "micronaut.server.port", "-1",
            "grpc.server.port", "${random.port}"));
  }

  @AfterAll
  void stop() {
    upstreams.close();
  }

  @BeforeEach
  void client() {
    http = new GatewayHttp(server.getURL());
    upstreams.submitted.clear();
  }

  private HttpResponse<String> postWithKey(String idempotencyKey) throws Exception {
    var request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.getURL() + "/v1/datasets/support/examples"))
            .header("Authorization", "Bearer " + ACME)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofString(
                    "{\"prompt\": \"p\", \"response\": \"r\"}"))
            .build();
    return java.net.http.HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anIdempotencyKeyOverTheLimitIs400NamingTheHeader() throws Exception {
    HttpResponse<String> tooLong = postWithKey("k".repeat(129));
    HttpResponse<String> fine = postWithKey("k".repeat(128));

    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(json(tooLong).at("/error/param").asText()).isEqualTo("Idempotency-Key");
    assertThat(json(tooLong).at("/error/message").asText())
        .isEqualTo("Idempotency-Key: is 129 characters; the limit is 128 (a UUID or a hash fits)");
    assertThat(fine.statusCode()).as(fine.body()).isEqualTo(200);
    assertThat(upstreams.submitted).hasSize(1);
  }

  @Test
  void aDatasetNameIngestWouldRefuseIsRefusedHereWithTheSameRule() throws Exception {
    HttpResponse<String> response =
        http.post(
            "/v1/datasets/" + "d".repeat(65) + "/examples",
            "{\"prompt\": \"p\", \"response\": \"r\"}",
            ACME);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).at("/error/param").asText()).isEqualTo("dataset");
    assertThat(json(response).at("/error/message").asText()).contains("must be 1-64 characters");
    assertThat(upstreams.submitted).isEmpty();
  }

  @Test
  void aRecordOverTheServicesGrpcLimitIs413NotBusy() throws Exception {
    // 5 MB: over gRPC's 4 MiB message limit. Before, the gateway took 10 MB bodies and ingest's
    // transport refusal came back as 429 "ingest-service is busy".
    String big = "{\"prompt\": \"" + "p".repeat(5_000_000) + "\", \"response\": \"r\"}";
    HttpResponse<String> response = http.post("/v1/datasets/support/examples", big, ACME);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
    assertThat(json(response).at("/error/type").asText()).isEqualTo("request_too_large");
    assertThat(json(response).at("/error/message").asText())
        .doesNotContain("busy")
        .contains("4194304")
        .contains("micronaut.server.max-request-buffer-size");
    assertThat(upstreams.submitted).isEmpty();
  }

  @Test
  void aSnapshotKeyOutsideTheCallersDatasetsIs400NamingTheField() throws Exception {
    String[] keys = {
      "datasets/acme/../globex/support/snapshots/1/manifest.json",
      "datasets/globex/support/snapshots/1/manifest.json",
      "datasets/acme//support/manifest.json",
      "../../etc/passwd"
    };
    for (String key : keys) {
      HttpResponse<String> response =
          http.post(
              "/v1/jobs",
              "{\"adapter_name\": \"bot\", \"dataset_snapshot\": \"" + key + "\"}",
              ACME);
      assertThat(response.statusCode()).as(key + " " + response.body()).isEqualTo(400);
      assertThat(json(response).at("/error/param").asText()).isEqualTo("dataset_snapshot");
      GatewayErrorShapeTest.assertNoInternals(response.body());
    }
    HttpResponse<String> eval =
        http.post(
            "/v1/jobs",
            "{\"adapter_name\": \"bot\", \"dataset_snapshot\":"
                + " \"datasets/acme/support/snapshots/1/manifest.json\","
                + " \"eval_dataset_snapshot\": \"datasets/acme/../x/manifest.json\"}",
            ACME);
    assertThat(eval.statusCode()).isEqualTo(400);
    assertThat(json(eval).at("/error/param").asText()).isEqualTo("eval_dataset_snapshot");
  }

  @Test
  void anAdapterNameIsHeldToTheSharedRule() throws Exception {
    HttpResponse<String> response =
        http.post(
            "/v1/jobs",
            "{\"adapter_name\": \"../bot\", \"dataset_snapshot\":"
                + " \"datasets/acme/support/snapshots/1/manifest.json\"}",
            ACME);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).at("/error/param").asText()).isEqualTo("adapter_name");
  }

  @Test
  void jsonLinesAreAllSubmittedNotOnlyTheFirstLine() throws Exception {
    // Before, the body was read as one JSON document: lines 2 and 3 were dropped without a word.
    String jsonl =
        "{\"prompt\": \"a\", \"response\": \"1\"}\n"
            + "{\"instruction\": \"b\", \"output\": \"2\"}\n"
            + "{\"prompt\": \"c\", \"response\": \"3\"}\n";
    HttpResponse<String> response = http.post("/v1/datasets/support/examples", jsonl, ACME);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).at("/received").asText()).isEqualTo("3");
    assertThat(upstreams.submitted).hasSize(3);
    assertThat(upstreams.submitted.get(2).getJson()).contains("\"c\"");
  }

  @Test
  void aSecondDocumentOnAOneDocumentEndpointIsRefusedNotDropped() throws Exception {
    HttpResponse<String> response =
        http.post("/v1/jobs", "{\"adapter_name\": \"bot\"}\n{\"adapter_name\": \"other\"}", ACME);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).at("/error/message").asText())
        .startsWith("The body holds 2 JSON documents");
  }

  @Test
  void a100MegabyteUploadIsRefusedWhileItIsStillArriving() throws Exception {
    // A chunked upload (no Content-Length to refuse it by) of JSON Lines generated on the fly. If
    // the gateway buffered the body before judging it, it could answer only after all 100 MB; it
    // answers 413 once the limit is passed, so the client has sent a fraction when the answer
    // comes. Bytes sent are counted, not time.
    long total = 100L * 1024 * 1024;
    byte[] line =
        ("{\"prompt\": \"" + "p".repeat(1000) + "\", \"response\": \"r\"}\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    long sent = 0;
    String answer;
    java.net.URL url = server.getURL();
    try (java.net.Socket socket = new java.net.Socket(url.getHost(), url.getPort())) {
      var out = socket.getOutputStream();
      var in = socket.getInputStream();
      out.write(
          ("POST /v1/datasets/support/examples HTTP/1.1\r\nHost: localhost\r\n"
                  + "Authorization: Bearer "
                  + ACME
                  + "\r\nContent-Type: application/x-ndjson\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      try {
        while (sent < total && in.available() == 0) {
          out.write(
              (Integer.toHexString(line.length) + "\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          out.write(line);
          out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          sent += line.length;
        }
      } catch (java.io.IOException closedByTheGateway) {
        // the gateway answered and closed the connection: read its answer below
      }
      answer = readResponse(in);
    }

    assertThat(answer).startsWith("HTTP/1.1 413");
    assertThat(answer).contains("\"type\":\"request_too_large\"");
    assertThat(sent).isLessThan(total / 4);
    assertThat(upstreams.submitted).isEmpty();
  }

  /** Status line, headers and the Content-Length body of one HTTP/1.1 response. */
  private static String readResponse(java.io.InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    java.util.regex.Matcher length =
        java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
    int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
    return head + new String(in.readNBytes(bodyLength), java.nio.charset.StandardCharsets.UTF_8);
  }
}
