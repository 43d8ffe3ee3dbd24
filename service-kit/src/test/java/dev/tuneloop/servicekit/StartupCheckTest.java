package dev.tuneloop.servicekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import io.grpc.health.v1.HealthCheckResponse;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * The shared wiring in a bare Micronaut server: backends checked at start, health over HTTP and
 * gRPC.
 */
@WithInfra
class StartupCheckTest {

  @Test
  void serverWithReachableBackendsAnswersHttpAndGrpcHealthAndCreatesTopics(Infra infra)
      throws Exception {
    try (EmbeddedServer server =
        ServiceProbe.start(
            infra,
            Map.of(
                "micronaut.application.name",
                "kit-test",
                "endpoints.health.details-visible",
                "ANONYMOUS"))) {
      var http = ServiceProbe.httpHealth(server);
      assertThat(http.statusCode()).isEqualTo(200);
      assertThat(http.body())
          .contains("\"status\":\"UP\"")
          .contains("\"kafka\"")
          .contains("\"s3\"");
      assertThat(ServiceProbe.grpcHealth(server.getApplicationContext()))
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      assertThat(ServiceProbe.grpcServices(server.getApplicationContext()))
          .contains("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
      assertThat(server.getApplicationContext().getBean(Admin.class).listTopics().names().get())
          .contains(Topics.EXAMPLES_RAW, Topics.ADAPTERS_PUBLISHED);
      assertThat(infra.objectStore().bucketExists()).isTrue();
    }
  }

  @Test
  void deadKafkaAddressFailsStartupWithinSecondsNamingTheAddress(Infra infra) {
    infra.s3(); // the shared infrastructure's own start is not what is timed
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                ServiceProbe.start(
                    infra,
                    Map.of(
                        "kafka.bootstrap-servers",
                        "127.0.0.1:1",
                        "tuneloop.startup.timeout",
                        "3s")))
        .hasStackTraceContaining("Kafka at 127.0.0.1:1 is unreachable");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void deadS3EndpointFailsStartupNamingTheEndpoint(Infra infra) {
    assertThatThrownBy(() -> ServiceProbe.start(infra, Map.of("s3.endpoint", "http://127.0.0.1:1")))
        .hasStackTraceContaining("S3 at http://127.0.0.1:1");
  }
}
