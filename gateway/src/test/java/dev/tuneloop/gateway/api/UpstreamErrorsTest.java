package dev.tuneloop.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.gateway.upstream.UpstreamErrors;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class UpstreamErrorsTest {

  @Test
  void unavailableUpstreamIs503NamingTheService() {
    ApiException e =
        UpstreamErrors.toApi(
            "trainer-service",
            Status.UNAVAILABLE.withDescription("io exception").asRuntimeException());

    assertThat(e.status().getCode()).isEqualTo(503);
    assertThat(e.getMessage()).isEqualTo("trainer-service is unavailable: io exception");
  }

  @Test
  void statusesMapToTheirHttpMeaning() {
    assertThat(
            UpstreamErrors.toApi(
                    "x", Status.NOT_FOUND.withDescription("unknown adapter").asException())
                .status()
                .getCode())
        .isEqualTo(404);
    assertThat(UpstreamErrors.toApi("x", Status.INVALID_ARGUMENT.asException()).status().getCode())
        .isEqualTo(400);
    assertThat(
            UpstreamErrors.toApi("x", Status.RESOURCE_EXHAUSTED.asException()).status().getCode())
        .isEqualTo(429);
    assertThat(UpstreamErrors.toApi("x", Status.INTERNAL.asException()).status().getCode())
        .isEqualTo(502);
  }

  @Test
  void aMessageOverTheUpstreamsGrpcLimitIs413NotBusy() {
    // grpc-java's own words when the receiving server's maxInboundMessageSize is exceeded.
    ApiException e =
        UpstreamErrors.toApi(
            "ingest-service",
            Status.RESOURCE_EXHAUSTED
                .withDescription("gRPC message exceeds maximum size 4194304: 5000123")
                .asRuntimeException());

    assertThat(e.status().getCode()).isEqualTo(413);
    assertThat(e.type()).isEqualTo("request_too_large");
    assertThat(e.getMessage()).doesNotContain("busy").contains("4194304");
  }
}
