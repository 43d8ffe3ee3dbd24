package dev.tuneloop.servicekit.testing;

import dev.tuneloop.servicekit.auth.AuthConfiguration;
import dev.tuneloop.servicekit.auth.GrpcAuthInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Credentials every service test runs with ({@link ServiceProbe#properties} configures them): one
 * random service token per test JVM, and tenant keys for {@code acme} and {@code globex}. A test
 * that calls gRPC directly wraps its stub: {@code TestCredentials.asTenant(stub, "acme")}.
 */
public final class TestCredentials {
  /** The token of the internal service "test-client"; random, so no test relies on its value. */
  public static final String SERVICE_TOKEN = "test-" + UUID.randomUUID();

  public static final String ACME_KEY = "acme-key-" + UUID.randomUUID();
  public static final String GLOBEX_KEY = "globex-key-" + UUID.randomUUID();

  private TestCredentials() {}

  /** The {@code tuneloop.auth.*} properties that make a service accept these credentials. */
  public static Map<String, Object> properties() {
    return Map.of(
        "tuneloop.auth.service-tokens", SERVICE_TOKEN + ":test-client",
        "tuneloop.auth.tenant-keys", ACME_KEY + ":acme," + GLOBEX_KEY + ":globex");
  }

  /** The interceptor a hand-built server adds ({@code ServerBuilder.intercept}). */
  public static GrpcAuthInterceptor interceptor() {
    return new GrpcAuthInterceptor(
        new AuthConfiguration(
            true,
            List.of(ACME_KEY + ":acme", GLOBEX_KEY + ":globex"),
            List.of(SERVICE_TOKEN + ":test-client")));
  }

  /**
   * The stub calling as the internal test service acting for {@code tenant}, as the gateway does.
   */
  public static <S extends AbstractStub<S>> S asTenant(S stub, String tenant) {
    Metadata headers = bearer(SERVICE_TOKEN);
    headers.put(GrpcAuthInterceptor.TENANT, tenant);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** The stub sending {@code key} as its bearer token (a tenant key, or anything else). */
  public static <S extends AbstractStub<S>> S withKey(S stub, String key) {
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(key)));
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(GrpcAuthInterceptor.AUTHORIZATION, "Bearer " + token);
    return headers;
  }
}
