package dev.tuneloop.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.platform.storage.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher with one real service in a child JVM (the whole set is what {@code Main} runs; one
 * keeps this fast): infrastructure up, service healthy with its output forwarded under its name,
 * everything gone after close.
 */
class LocalPlatformTest {

  @Test
  void startsInfrastructureAndAServiceThatAnswersHealthThenStopsIt(@TempDir Path dir)
      throws Exception {
    var output = new ByteArrayOutputStream();
    var options =
        LocalOptions.defaults().withDataDir(dir).withServices(List.of("ingest")).withFreePorts();
    ServiceProcess ingest;
    try (LocalPlatform platform =
        LocalPlatform.start(options, new PrintStream(output, true, StandardCharsets.UTF_8))) {
      Endpoints endpoints = platform.endpoints();
      try (HttpClient client = HttpClient.newHttpClient()) {
        var response =
            client.send(
                HttpRequest.newBuilder(
                        URI.create(endpoints.service("ingest").httpUrl() + "/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
      }
      assertThat(new ObjectStore(endpoints.s3()).bucketExists()).isTrue();
      assertThat(output.toString(StandardCharsets.UTF_8)).contains("ingest    | ");
      ingest = platform.processes().getFirst();
      assertThat(ingest.isAlive()).isTrue();
    }
    assertThat(ingest.isAlive()).isFalse();
  }

  @Test
  void aServiceKilledWithSigkillIsRestartedAndComesBackHealthy(@TempDir Path dir) throws Exception {
    var output = new ByteArrayOutputStream();
    var options =
        LocalOptions.defaults().withDataDir(dir).withServices(List.of("ingest")).withFreePorts();
    try (LocalPlatform platform =
        LocalPlatform.start(options, new PrintStream(output, true, StandardCharsets.UTF_8))) {
      ServiceProcess first = platform.processes().getFirst();
      assertThat(first.handle().destroyForcibly()).isTrue(); // SIGKILL on Linux
      await()
          .atMost(Duration.ofMinutes(3))
          .until(
              () ->
                  output.toString(StandardCharsets.UTF_8).contains("ingest restarted and healthy"));
      assertThat(output.toString(StandardCharsets.UTF_8))
          .contains("tuneloop: ingest exited unexpectedly (exit code 137); restarting it in 1.0 s");
      ServiceProcess second = platform.processes().getFirst();
      assertThat(second).isNotSameAs(first);
      assertThat(second.isAlive()).isTrue();
      try (HttpClient client = HttpClient.newHttpClient()) {
        var response =
            client.send(
                HttpRequest.newBuilder(URI.create(second.healthUrl())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
      }
    }
    assertThat(output.toString(StandardCharsets.UTF_8)).doesNotContain("did not come back");
  }

  @Test
  void unknownServiceIsRefusedByName() {
    assertThatThrownBy(() -> Main.parse(new String[] {"--services", "ingest,nope"}))
        .hasMessageContaining("'nope'");
  }
}
