package dev.tuneloop.servicekit.auth;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * Who is calling, as {@link GrpcAuthInterceptor} established it from the call's credentials: the
 * tenant the call acts for and, for an internal service acting on a tenant's behalf, that service.
 * Endpoints take the tenant from here, never from a request field.
 *
 * @param tenant the tenant every read and write of this call is scoped to; null only when auth is
 *     disabled
 * @param service the internal service that acts for {@code tenant}, or null for a tenant key
 */
public record Caller(String tenant, String service) {
  /** Where the interceptor puts the caller for the duration of a call. */
  public static final Context.Key<Caller> KEY = Context.key("tuneloop.caller");

  /** When {@code tuneloop.auth.enabled} is false and requests name their tenant. */
  public static final String DEFAULT_TENANT = "default";

  static final Caller UNAUTHENTICATED = new Caller(null, null);

  /** The caller of the current gRPC call; fails closed when no interceptor put one there. */
  public static Caller current() {
    Caller caller = KEY.get();
    if (caller == null) {
      throw Status.UNAUTHENTICATED
          .withDescription(
              "no caller identity on this call (the auth interceptor is not installed)")
          .asRuntimeException();
    }
    return caller;
  }

  /**
   * The tenant the current call acts for, checked against the tenant a request names: empty means
   * the caller's own tenant; another tenant is refused.
   *
   * @throws StatusRuntimeException PERMISSION_DENIED when {@code requested} names another tenant
   */
  public static String tenantFor(String requested) {
    return current().scope(requested);
  }

  /** See {@link #tenantFor}. */
  public String scope(String requested) {
    if (tenant == null) { // auth disabled: the request field is all there is
      return requested == null || requested.isBlank() ? DEFAULT_TENANT : requested;
    }
    if (requested == null || requested.isEmpty() || requested.equals(tenant)) {
      return tenant;
    }
    throw Status.PERMISSION_DENIED
        .withDescription(
            "the request names tenant \""
                + requested
                + "\" but the credentials are for tenant \""
                + tenant
                + "\": leave tenant empty or use a key of that tenant")
        .asRuntimeException();
  }

  /** For records such as a job's {@code requested_by}: who asked, in words. */
  public String describe() {
    if (tenant == null) {
      return "unauthenticated caller (auth disabled)";
    }
    return service == null ? "tenant " + tenant : service + " for tenant " + tenant;
  }
}
