package dev.tuneloop.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tuneloop.platform.storage.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
  void servicesListenOnLoopbackOnly(@TempDir Path dir) throws Exception {
    assumeTrue(
        Files.isReadable(Path.of("/proc/net/tcp")),
        "reads the bound addresses from Linux's /proc/net/tcp");
    var options =
        LocalOptions.defaults().withDataDir(dir).withServices(List.of("ingest")).withFreePorts();
    try (LocalPlatform platform =
        LocalPlatform.start(
            options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
      Endpoints.Service ingest = platform.endpoints().service("ingest");
      int http = URI.create(ingest.httpUrl()).getPort();
      int grpc =
          Integer.parseInt(ingest.grpcTarget().substring(ingest.grpcTarget().lastIndexOf(':') + 1));
      for (int port : List.of(http, grpc)) {
        List<String> bound = listeningAddresses(port);
        assertThat(bound).as("port " + port).isNotEmpty().allMatch(LocalPlatformTest::isLoopback);
      }
    }
  }

  /** The local addresses (hex, as the kernel writes them) of the sockets listening on a port. */
  private static List<String> listeningAddresses(int port) throws Exception {
    List<String> out = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.isReadable(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) { // the first line is a header
        String[] fields = line.trim().split("\\s+");
        String[] local = fields[1].split(":");
        boolean listening = fields[3].equals("0A");
        if (listening && Integer.parseInt(local[1], 16) == port) {
          out.add(local[0]);
        }
      }
    }
    return out;
  }

  /** 127.0.0.1 in tcp (little-endian), ::1 or ::ffff:127.0.0.1 in tcp6. */
  private static boolean isLoopback(String hex) {
    return hex.equals("0100007F")
        || hex.equals("00000000000000000000000001000000")
        || hex.equals("0000000000000000FFFF00000100007F");
  }

  @Test
  void unknownServiceIsRefusedByName() {
    assertThatThrownBy(() -> Main.parse(new String[] {"--services", "ingest,nope"}))
        .hasMessageContaining("'nope'");
  }
}
