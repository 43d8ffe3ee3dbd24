package dev.tuneloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import io.grpc.health.v1.HealthCheckResponse;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trainer-service boots against real Kafka and S3 and answers HTTP and gRPC health. */
@WithInfra
class TrainerServiceBootTest {

  @Test
  void bootsAndAnswersHttpAndGrpcHealth(Infra infra) throws Exception {
    try (EmbeddedServer server = ServiceProbe.start(infra, Map.of())) {
      assertThat(
              server
                  .getApplicationContext()
                  .getProperty("micronaut.application.name", String.class))
          .contains("trainer-service");
      var http = ServiceProbe.httpHealth(server);
      assertThat(http.statusCode()).isEqualTo(200);
      assertThat(http.body()).contains("\"status\":\"UP\"");
      assertThat(ServiceProbe.grpcHealth(server.getApplicationContext()))
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      assertThat(ServiceProbe.grpcServices(server.getApplicationContext()))
          .contains("tuneloop.v1.TrainerService", "tuneloop.v1.AdapterRegistryService");
      // only /health is open; configuration, loggers, beans ... are not served at all
      assertThat(ServiceProbe.exposedManagementEndpoints(server, null)).isEmpty();
    }
  }
}
