package dev.tuneloop.servicekit.auth;

import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micronaut.context.annotation.Context;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every gRPC call from its credentials ({@code authorization: Bearer <token>}
 * metadata) and puts the {@link Caller} into the gRPC {@link io.grpc.Context}: a tenant key stands
 * for its tenant; a service token stands for an internal service acting for the tenant named in
 * {@code x-tuneloop-tenant}. The health service and server reflection stay open (they reveal no
 * tenant data). micronaut-grpc installs every {@link ServerInterceptor} bean; servers built by hand
 * add it with {@code ServerBuilder.intercept}.
 */
@Singleton
@Context // a service without credentials configured must not start, not fail at its first call
public class GrpcAuthInterceptor implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcAuthInterceptor.class);

  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** The tenant a service token acts for. */
  public static final Metadata.Key<String> TENANT =
      Metadata.Key.of("x-tuneloop-tenant", Metadata.ASCII_STRING_MARSHALLER);

  /** Served without credentials: health checks and the service list of grpcurl. */
  static final Set<String> OPEN_SERVICES =
      Set.of(
          "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection");

  private static final String BEARER = "Bearer ";

  private final boolean enabled;
  private final TokenTable tenantKeys;
  private final TokenTable serviceTokens;

  public GrpcAuthInterceptor(AuthConfiguration config) {
    this.enabled = config.enabled();
    this.tenantKeys = TokenTable.parse("tuneloop.auth.tenant-keys", config.tenantKeys());
    this.serviceTokens = TokenTable.parse("tuneloop.auth.service-tokens", config.serviceTokens());
    if (enabled && tenantKeys.isEmpty() && serviceTokens.isEmpty()) {
      throw new IllegalStateException(
          "gRPC auth is on but no credentials are configured: set tuneloop.auth.tenant-keys"
              + " (\"key:tenant\", env TUNELOOP_TENANT_KEYS) and/or tuneloop.auth.service-tokens"
              + " (\"token:service\", env TUNELOOP_SERVICE_TOKENS), or tuneloop.auth.enabled=false"
              + " to trust the tenant field of every request (see docs/security.md)");
    }
    if (!enabled) {
      LOG.warn("gRPC auth is off (tuneloop.auth.enabled=false): any caller can act for any tenant");
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (OPEN_SERVICES.contains(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    Caller caller;
    try {
      caller = authenticate(headers);
    } catch (StatusRuntimeException e) {
      call.close(e.getStatus(), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(
        io.grpc.Context.current().withValue(Caller.KEY, caller), call, headers, next);
  }

  /** The caller the metadata proves, or a status saying what is missing or wrong. */
  Caller authenticate(Metadata headers) {
    if (!enabled) {
      return Caller.UNAUTHENTICATED;
    }
    String token =
        bearer(headers)
            .orElseThrow(
                () ->
                    Status.UNAUTHENTICATED
                        .withDescription(
                            "missing credentials: send metadata \"authorization: Bearer <key>\""
                                + " with a tenant key")
                        .asRuntimeException());
    Optional<String> actingFor =
        Optional.ofNullable(headers.get(TENANT)).map(String::strip).filter(t -> !t.isEmpty());
    Optional<String> tenant = tenantKeys.lookup(token);
    if (tenant.isPresent()) {
      if (actingFor.isPresent() && !actingFor.get().equals(tenant.get())) {
        throw Status.PERMISSION_DENIED
            .withDescription(
                "x-tuneloop-tenant names another tenant than the key's: a tenant key acts for its"
                    + " own tenant only")
            .asRuntimeException();
      }
      return new Caller(tenant.get(), null);
    }
    Optional<String> service = serviceTokens.lookup(token);
    if (service.isEmpty()) {
      throw Status.UNAUTHENTICATED.withDescription("invalid credentials").asRuntimeException();
    }
    String onBehalfOf =
        actingFor.orElseThrow(
            () ->
                Status.PERMISSION_DENIED
                    .withDescription(
                        "service "
                            + service.get()
                            + " must name the tenant it acts for in metadata x-tuneloop-tenant")
                    .asRuntimeException());
    if (!Names.isValid(onBehalfOf)) {
      throw Status.INVALID_ARGUMENT
          .withDescription("x-tuneloop-tenant: " + Names.RULE)
          .asRuntimeException();
    }
    return new Caller(onBehalfOf, service.get());
  }

  private static Optional<String> bearer(Metadata headers) {
    String value = headers.get(AUTHORIZATION);
    if (value == null || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    String token = value.substring(BEARER.length()).strip();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }
}
