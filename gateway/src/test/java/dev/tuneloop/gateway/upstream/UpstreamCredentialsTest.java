package dev.tuneloop.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.gateway.api.ApiException;
import dev.tuneloop.proto.v1.CurationServiceGrpc;
import dev.tuneloop.proto.v1.DatasetStats;
import dev.tuneloop.proto.v1.DatasetStatsRequest;
import dev.tuneloop.servicekit.auth.AuthConfiguration;
import dev.tuneloop.servicekit.auth.Caller;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Upstreams} against a real gRPC server behind the services' auth interceptor: each stub
 * acts for the tenant it was made for, with the gateway's service token.
 */
class UpstreamCredentialsTest {

  private Server server;

  @BeforeEach
  void start() throws Exception {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(
                new CurationServiceGrpc.CurationServiceImplBase() {
                  @Override
                  public void getDatasetStats(
                      DatasetStatsRequest request, StreamObserver<DatasetStats> response) {
                    // the tenant the service scopes the call to, echoed back
                    response.onNext(
                        DatasetStats.newBuilder()
                            .setDataset(Caller.tenantFor(request.getTenant()))
                            .build());
                    response.onCompleted();
                  }
                })
            .intercept(TestCredentials.interceptor())
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    server.shutdownNow();
  }

  private Upstreams upstreams(String token) {
    String target = "localhost:" + server.getPort();
    return new Upstreams(
        new UpstreamConfig(
            token, target, target, target, target, Duration.ofSeconds(10), Duration.ofSeconds(10)),
        new AuthConfiguration(true, List.of(), List.of("unused:gateway")));
  }

  @Test
  void everyCallCarriesTheServiceTokenAndTheTenantItWasMadeFor() throws Exception {
    Upstreams upstreams = upstreams(TestCredentials.SERVICE_TOKEN);
    try {
      assertThat(
              upstreams
                  .curation("globex")
                  .getDatasetStats(DatasetStatsRequest.getDefaultInstance())
                  .getDataset())
          .isEqualTo("globex");
      assertThat(
              upstreams
                  .curation("acme")
                  .getDatasetStats(DatasetStatsRequest.getDefaultInstance())
                  .getDataset())
          .isEqualTo("acme");
    } finally {
      upstreams.close();
    }
  }

  @Test
  void aWrongServiceTokenIsABadGatewayThatDoesNotBlameTheClient() throws Exception {
    Upstreams upstreams = upstreams("not-the-token");
    try {
      StatusRuntimeException refused =
          (StatusRuntimeException)
              org.assertj.core.api.Assertions.catchThrowable(
                  () ->
                      upstreams
                          .curation("acme")
                          .getDatasetStats(DatasetStatsRequest.getDefaultInstance()));
      ApiException answer = UpstreamErrors.toApi(Upstreams.CURATION, refused);
      assertThat(answer.status().getCode()).isEqualTo(502);
      assertThat(answer.getMessage())
          .isEqualTo("curation-service refused the gateway's credentials")
          .doesNotContain("not-the-token");
    } finally {
      upstreams.close();
    }
    assertThatThrownBy(() -> upstreams("").close()).hasMessageContaining("service-token");
  }
}
