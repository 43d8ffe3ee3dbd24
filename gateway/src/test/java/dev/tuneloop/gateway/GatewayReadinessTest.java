package dev.tuneloop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Readiness is not liveness: the gateway is ready only while the services behind it answer their
 * gRPC health checks. The upstream here is a real gRPC server with the standard health service.
 */
@WithInfra
class GatewayReadinessTest {

  private static Map<String, Object> upstreams(String target) {
    return new HashMap<>(
        GatewayHttp.withCredentials(
            Map.of(
                "tuneloop.gateway.upstreams.ingest", target,
                "tuneloop.gateway.upstreams.curation", target,
                "tuneloop.gateway.upstreams.trainer", target,
                "tuneloop.gateway.upstreams.inference", target,
                "tuneloop.gateway.auth.api-keys", "sk-test-readiness:acme")));
  }

  private static int get(EmbeddedServer server, String path) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(server.getURL() + path)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    }
  }

  @Test
  void notReadyWhileTheServicesBehindItDoNotAnswerReadyOnceTheyDo(Infra infra) throws Exception {
    int port;
    try (var socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (EmbeddedServer gateway = ServiceProbe.start(infra, upstreams("localhost:" + port))) {
      String down = ServiceProbe.awaitHealth(gateway, 503, "\"upstreams\"");
      assertThat(down).contains("\"ingest-service\":\"UNAVAILABLE\"").doesNotContain(":" + port);
      assertThat(get(gateway, "/health/readiness")).isEqualTo(503);
      assertThat(get(gateway, "/health/liveness")).isEqualTo(200);

      var health = new HealthStatusManager();
      Server upstream =
          Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
              .addService(health.getHealthService())
              .build()
              .start();
      try {
        String up = ServiceProbe.awaitHealth(gateway, 200, "\"upstreams\"");
        assertThat(up).contains("\"trainer-service\":\"SERVING\"");
        assertThat(get(gateway, "/health/readiness")).isEqualTo(200);

        health.setStatus("", ServingStatus.NOT_SERVING);
        assertThat(ServiceProbe.awaitHealth(gateway, 503, "\"upstreams\""))
            .contains("\"inference-service\":\"NOT_SERVING\"");
      } finally {
        upstream.shutdownNow();
      }
    }
  }
}
