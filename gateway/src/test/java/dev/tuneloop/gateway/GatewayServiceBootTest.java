package dev.tuneloop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.health.v1.HealthCheckResponse;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway boots against real Kafka and S3 and answers HTTP and gRPC health. */
@WithInfra
class GatewayServiceBootTest {

  @Test
  void bootsAndAnswersHttpAndGrpcHealth(Infra infra) throws Exception {
    // No services behind it here: readiness on upstreams is GatewayReadinessTest's subject.
    try (EmbeddedServer server =
        ServiceProbe.start(
            infra,
            Map.of(
                "tuneloop.gateway.readiness.require-upstreams",
                "false",
                "tuneloop.gateway.auth.api-keys",
                "sk-boot:acme",
                "tuneloop.gateway.upstreams.service-token",
                TestCredentials.SERVICE_TOKEN))) {
      assertThat(
              server
                  .getApplicationContext()
                  .getProperty("micronaut.application.name", String.class))
          .contains("gateway");
      var http = ServiceProbe.httpHealth(server);
      assertThat(http.statusCode()).isEqualTo(200);
      assertThat(http.body()).contains("\"status\":\"UP\"");
      assertThat(ServiceProbe.grpcHealth(server.getApplicationContext()))
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      // only /health is open; configuration, loggers, beans ... are not served at all
      assertThat(ServiceProbe.exposedManagementEndpoints(server, "sk-boot")).isEmpty();
    }
  }
}
