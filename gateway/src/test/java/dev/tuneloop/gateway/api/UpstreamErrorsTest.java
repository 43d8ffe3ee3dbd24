package dev.tuneloop.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.gateway.upstream.UpstreamErrors;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class UpstreamErrorsTest {

  @Test
  void call_returnsTheAnswerOfASuccessfulCall() {
    assertThat(UpstreamErrors.call("ingest-service", () -> "ok")).isEqualTo("ok");
  }

  @Test
  void call_turnsAGrpcFailureIntoTheHttpAnswerNamingTheService() {
    assertThatThrownBy(
            () ->
                UpstreamErrors.call(
                    "curation-service",
                    () -> {
                      throw Status.UNAVAILABLE.withDescription("down").asRuntimeException();
                    }))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status().getCode()).isEqualTo(503);
              assertThat(e.getMessage()).isEqualTo("curation-service is unavailable: down");
            });
  }

  @Test
  void call_letsOtherFailuresThrough() {
    IllegalStateException bug = new IllegalStateException("a bug, not an upstream failure");

    assertThatThrownBy(
            () ->
                UpstreamErrors.call(
                    "x",
                    () -> {
                      throw bug;
                    }))
        .isSameAs(bug);
  }

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

  @Test
  void upstreamDescriptionsLoseAddressesExceptionClassesAndStackTraces() {
    ApiException unavailable =
        UpstreamErrors.toApi(
            "ingest-service",
            Status.UNAVAILABLE
                .withDescription("Unable to resolve host ingest.internal:50051")
                .asRuntimeException());
    ApiException invalid =
        UpstreamErrors.toApi(
            "trainer-service",
            Status.INVALID_ARGUMENT
                .withDescription(
                    "java.lang.IllegalArgumentException: bad key /10.1.2.3:9000\n"
                        + "\tat dev.tuneloop.X.y(X.java:12)")
                .asRuntimeException());
    ApiException internal =
        UpstreamErrors.toApi(
            "trainer-service",
            Status.INTERNAL
                .withDescription("io.minio.errors.ErrorResponseException: bucket tuneloop")
                .asRuntimeException());

    assertThat(unavailable.getMessage())
        .isEqualTo("ingest-service is unavailable: Unable to resolve host (address)");
    assertThat(invalid.getMessage()).isEqualTo("bad key (address)");
    assertThat(internal.status().getCode()).isEqualTo(502);
    assertThat(internal.getMessage())
        .isEqualTo("trainer-service failed (INTERNAL); the details are in its log.");
  }
}
