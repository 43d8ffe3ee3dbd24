package dev.tuneloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import io.grpc.health.v1.HealthCheckResponse;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ingest-service boots against real Kafka and S3 and answers HTTP and gRPC health. */
@WithInfra
class IngestServiceBootTest {

  @Test
  void bootsAndAnswersHttpAndGrpcHealth(Infra infra) throws Exception {
    try (EmbeddedServer server = ServiceProbe.start(infra, Map.of())) {
      assertThat(
              server
                  .getApplicationContext()
                  .getProperty("micronaut.application.name", String.class))
          .contains("ingest-service");
      var http = ServiceProbe.httpHealth(server);
      assertThat(http.statusCode()).isEqualTo(200);
      assertThat(http.body()).contains("\"status\":\"UP\"");
      assertThat(ServiceProbe.grpcHealth(server.getApplicationContext()))
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      // only /health is open; configuration, loggers, beans ... are not served at all
      assertThat(ServiceProbe.exposedManagementEndpoints(server, null)).isEmpty();
    }
  }

  @Test
  void deadKafkaAddressStopsStartupWithinSecondsNamingTheAddress(Infra infra) {
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
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }
}
