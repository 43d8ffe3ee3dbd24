package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.JsonLinesUploadTest.ascii;
import static dev.tuneloop.gateway.JsonLinesUploadTest.line;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URL;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An upload over {@code micronaut.server.max-request-size} (1 MiB here) mid-stream: the lines
 * before the limit are submitted, and the 413 says how many, so nothing is lost without a word.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JsonLinesUploadLimitTest implements TestPropertyProvider {
  private static final String ACME = "sk-acme";
  private static final int LIMIT = 1024 * 1024;

  @Inject EmbeddedServer server;

  private final JsonLinesUploadTest.CountingIngest ingest =
      new JsonLinesUploadTest.CountingIngest();
  private Server grpc;

  @Override
  public Map<String, String> getProperties() {
    try {
      grpc =
          Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
              .addService(ingest)
              .intercept(TestCredentials.interceptor())
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String target = "localhost:" + grpc.getPort();
    return GatewayHttp.withCredentials(
        Map.of(
            "tuneloop.gateway.upstreams.ingest",
            target,
            "tuneloop.gateway.upstreams.curation",
            target,
            "tuneloop.gateway.upstreams.trainer",
            target,
            "tuneloop.gateway.upstreams.inference",
            target,
            "tuneloop.gateway.auth.api-keys",
            ACME + ":acme",
            "micronaut.server.max-request-size",
            Integer.toString(LIMIT),
            "micronaut.server.port",
            "-1",
            "grpc.server.port",
            "${random.port}"));
  }

  @AfterAll
  void stop() {
    grpc.shutdownNow();
  }

  @Test
  void anUploadOverTheLimitSubmitsTheLinesBeforeItAndSaysHowMany() throws Exception {
    long lines = 2L * LIMIT / JsonLinesUploadTest.LINE_BYTES; // twice the limit, chunked
    String answer;
    URL url = server.getURL();
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(
          ascii(
              "POST /v1/datasets/support/examples:upload HTTP/1.1\r\nHost: localhost\r\n"
                  + "Authorization: Bearer "
                  + ACME
                  + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"));
      try {
        for (long i = 0; i < lines && in.available() == 0; i++) {
          String line = line(i);
          out.write(ascii(Integer.toHexString(line.length()) + "\r\n" + line + "\r\n"));
        }
        out.write(ascii("0\r\n\r\n"));
      } catch (IOException closedByTheGateway) {
        // the gateway answered and closed the connection: read its answer below
      }
      answer = JsonLinesUploadTest.readResponse(in);
    }

    assertThat(answer).startsWith("HTTP/1.1 413");
    JsonNode error = GatewayHttp.JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n")));
    String message = error.at("/error/message").asText();
    assertThat(message)
        .contains(Integer.toString(LIMIT))
        .contains("micronaut.server.max-request-size");
    Matcher submitted = Pattern.compile("The first (\\d+) lines were submitted").matcher(message);
    assertThat(submitted.find()).as(message).isTrue();
    long first = Long.parseLong(submitted.group(1));
    // Lines within the limit went in (those the server had taken before it refused the rest), and
    // exactly as many as the answer names.
    assertThat(first).isBetween(1L, (long) LIMIT / JsonLinesUploadTest.LINE_BYTES);
    assertThat(ingest.records.get()).isEqualTo(first);
    assertThat(message).contains("from line " + (first + 1));
  }
}
