package dev.tuneloop.servicekit.auth;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;

/**
 * Who may call this service's gRPC API ({@code tuneloop.auth.*}, see docs/security.md).
 *
 * @param enabled false: no credentials are checked and a request's {@code tenant} field is trusted
 *     (empty means {@code default}); logged as a warning at start
 * @param tenantKeys entries {@code "key:tenant"}, the format the gateway's API keys use; several
 *     keys may name one tenant (rotation)
 * @param serviceTokens entries {@code "token:service-name"}: internal callers (the gateway) that
 *     act for the tenant named in the {@code x-tuneloop-tenant} header
 */
@ConfigurationProperties("tuneloop.auth")
public record AuthConfiguration(
    @Bindable(defaultValue = "true") boolean enabled,
    @Nullable List<String> tenantKeys,
    @Nullable List<String> serviceTokens) {

  public AuthConfiguration {
    tenantKeys = nonBlank(tenantKeys);
    serviceTokens = nonBlank(serviceTokens);
  }

  /** An unset environment variable ({@code ${TUNELOOP_TENANT_KEYS:}}) binds as one blank entry. */
  private static List<String> nonBlank(List<String> entries) {
    return entries == null ? List.of() : entries.stream().filter(e -> !e.isBlank()).toList();
  }
}
