package dev.tuneloop.servicekit.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.CurationServiceGrpc;
import dev.tuneloop.proto.v1.DatasetStats;
import dev.tuneloop.proto.v1.DatasetStatsRequest;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The interceptor on a real gRPC server in front of a service that answers with the tenant it was
 * scoped to: credentials decide the tenant, a request field can only narrow it to itself.
 */
class GrpcAuthInterceptorTest {

  /** Echoes the tenant {@link Caller#tenantFor} resolves in the dataset field. */
  private static final class EchoTenant extends CurationServiceGrpc.CurationServiceImplBase {
    @Override
    public void getDatasetStats(
        DatasetStatsRequest request, StreamObserver<DatasetStats> response) {
      try {
        response.onNext(
            DatasetStats.newBuilder().setDataset(Caller.tenantFor(request.getTenant())).build());
        response.onCompleted();
      } catch (StatusRuntimeException e) {
        response.onError(e);
      }
    }
  }

  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    server = serve(TestCredentials.interceptor());
    channel =
        Grpc.newChannelBuilder("localhost:" + server.getPort(), InsecureChannelCredentials.create())
            .build();
  }

  private static Server serve(GrpcAuthInterceptor interceptor) throws Exception {
    return Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
        .addService(new EchoTenant())
        .addService(new HealthStatusManager().getHealthService())
        .intercept(interceptor)
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  private String tenantOf(CurationServiceGrpc.CurationServiceBlockingStub stub, String requested) {
    return stub.getDatasetStats(DatasetStatsRequest.newBuilder().setTenant(requested).build())
        .getDataset();
  }

  private static Status.Code code(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
    throw new AssertionError("the call succeeded");
  }

  @Test
  void callWithoutCredentialsIsUnauthenticatedButHealthStaysOpen() {
    var plain = CurationServiceGrpc.newBlockingStub(channel);
    assertThatThrownBy(() -> tenantOf(plain, "acme"))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("UNAUTHENTICATED")
        .hasMessageContaining("authorization: Bearer");
    assertThat(code(() -> tenantOf(TestCredentials.withKey(plain, "guess"), "")))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(
            HealthGrpc.newBlockingStub(channel)
                .check(HealthCheckRequest.newBuilder().setService("").build())
                .getStatus())
        .isNotNull();
  }

  @Test
  void tenantKeyActsForItsTenantOnlyAndEmptyMeansItsOwn() {
    var acme =
        TestCredentials.withKey(
            CurationServiceGrpc.newBlockingStub(channel), TestCredentials.ACME_KEY);
    assertThat(tenantOf(acme, "")).isEqualTo("acme");
    assertThat(tenantOf(acme, "acme")).isEqualTo("acme");
    assertThatThrownBy(() -> tenantOf(acme, "globex"))
        .hasMessageContaining("PERMISSION_DENIED")
        .hasMessageContaining("\"globex\"");
    var globex =
        TestCredentials.withKey(
            CurationServiceGrpc.newBlockingStub(channel), TestCredentials.GLOBEX_KEY);
    assertThat(tenantOf(globex, "")).isEqualTo("globex");
  }

  @Test
  void tenantKeyCannotUseTheTenantHeaderToActForAnother() {
    var headers = new io.grpc.Metadata();
    headers.put(GrpcAuthInterceptor.AUTHORIZATION, "Bearer " + TestCredentials.ACME_KEY);
    headers.put(GrpcAuthInterceptor.TENANT, "globex");
    var stub =
        CurationServiceGrpc.newBlockingStub(channel)
            .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
    assertThat(code(() -> tenantOf(stub, ""))).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void serviceTokenActsForTheTenantInItsHeaderAndMustNameOne() {
    var stub = CurationServiceGrpc.newBlockingStub(channel);
    assertThat(tenantOf(TestCredentials.asTenant(stub, "globex"), "")).isEqualTo("globex");
    assertThat(code(() -> tenantOf(TestCredentials.asTenant(stub, "globex"), "acme")))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThatThrownBy(
            () -> tenantOf(TestCredentials.withKey(stub, TestCredentials.SERVICE_TOKEN), ""))
        .hasMessageContaining("PERMISSION_DENIED")
        .hasMessageContaining("x-tuneloop-tenant");
    assertThat(code(() -> tenantOf(TestCredentials.asTenant(stub, "../acme"), "")))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void severalKeysOfOneTenantAreAcceptedAtOnceForRotation() throws Exception {
    var rotating =
        new GrpcAuthInterceptor(
            new AuthConfiguration(true, List.of("old-key:acme", "new-key:acme"), List.of()));
    Server other = serve(rotating);
    ManagedChannel ch =
        Grpc.newChannelBuilder("localhost:" + other.getPort(), InsecureChannelCredentials.create())
            .build();
    try {
      var stub = CurationServiceGrpc.newBlockingStub(ch);
      assertThat(tenantOf(TestCredentials.withKey(stub, "old-key"), "")).isEqualTo("acme");
      assertThat(tenantOf(TestCredentials.withKey(stub, "new-key"), "")).isEqualTo("acme");
      assertThat(code(() -> tenantOf(TestCredentials.withKey(stub, "new-ke"), "")))
          .isEqualTo(Status.Code.UNAUTHENTICATED);
    } finally {
      ch.shutdownNow();
      other.shutdownNow();
    }
  }

  @Test
  void disabledAuthTrustsTheRequestFieldAndDefaultsToTheDefaultTenant() throws Exception {
    Server open = serve(new GrpcAuthInterceptor(new AuthConfiguration(false, null, null)));
    ManagedChannel ch =
        Grpc.newChannelBuilder("localhost:" + open.getPort(), InsecureChannelCredentials.create())
            .build();
    try {
      var stub = CurationServiceGrpc.newBlockingStub(ch);
      assertThat(tenantOf(stub, "acme")).isEqualTo("acme");
      assertThat(tenantOf(stub, "")).isEqualTo(Caller.DEFAULT_TENANT);
    } finally {
      ch.shutdownNow();
      open.shutdownNow();
    }
  }

  @Test
  void badEntriesAreRefusedNamingTheSettingButNeverTheSecret() {
    assertThatThrownBy(
            () -> new GrpcAuthInterceptor(new AuthConfiguration(true, List.of("s3cret"), null)))
        .hasMessageContaining("tuneloop.auth.tenant-keys[0]")
        .hasMessageNotContaining("s3cret");
    assertThatThrownBy(
            () ->
                new GrpcAuthInterceptor(
                    new AuthConfiguration(true, List.of("k1:acme", "k1:globex"), null)))
        .hasMessageContaining("tuneloop.auth.tenant-keys[1] repeats");
    assertThatThrownBy(
            () ->
                new GrpcAuthInterceptor(
                    new AuthConfiguration(true, null, List.of("t0k3n:../gateway"))))
        .hasMessageContaining("tuneloop.auth.service-tokens[0]")
        .hasMessageNotContaining("t0k3n");
  }

  @Test
  void endpointWithoutTheInterceptorFailsClosed() throws Exception {
    Server bare =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(new EchoTenant())
            .build()
            .start();
    ManagedChannel ch =
        Grpc.newChannelBuilder("localhost:" + bare.getPort(), InsecureChannelCredentials.create())
            .build();
    try {
      var stub = CurationServiceGrpc.newBlockingStub(ch);
      assertThat(code(() -> tenantOf(stub, "acme"))).isEqualTo(Status.Code.UNAUTHENTICATED);
    } finally {
      ch.shutdownNow();
      bare.shutdownNow();
    }
  }

  @Nested
  @WithInfra
  class Startup {
    @Test
    void serviceWithoutCredentialsRefusesToStartNamingTheSettings(Infra infra) {
      assertThatThrownBy(
              () ->
                  ServiceProbe.start(
                      infra,
                      Map.of("tuneloop.auth.tenant-keys", "", "tuneloop.auth.service-tokens", "")))
          .rootCause()
          .hasMessageContaining("tuneloop.auth.tenant-keys")
          .hasMessageContaining("tuneloop.auth.service-tokens")
          .hasMessageContaining("tuneloop.auth.enabled=false");
    }
  }
}
