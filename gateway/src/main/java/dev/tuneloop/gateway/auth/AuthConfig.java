package dev.tuneloop.gateway.auth;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;

/**
 * API keys and the paths that need none.
 *
 * @param enabled false: every request is the {@code default-tenant}'s (the local default on a
 *     laptop)
 * @param apiKeys entries {@code "key:tenant"}; a client sends {@code Authorization: Bearer key}
 * @param exemptPaths path prefixes served without a key (health, dashboard assets); "/" matches
 *     only the root
 * @param allowDevKey true lets the development key {@code dev-key} in; only the local default sets
 *     it, so a deployment that forgot to replace it refuses to start
 */
@ConfigurationProperties("tuneloop.gateway.auth")
public record AuthConfig(
    @Bindable(defaultValue = "true") boolean enabled,
    @Bindable(defaultValue = "default") String defaultTenant,
    List<String> apiKeys,
    List<String> exemptPaths,
    @Bindable(defaultValue = "false") boolean allowDevKey) {

  public AuthConfig {
    // an unset GATEWAY_API_KEYS binds as one blank entry
    apiKeys = apiKeys == null ? List.of() : apiKeys.stream().filter(k -> !k.isBlank()).toList();
    exemptPaths =
        exemptPaths == null
            ? List.of("/health", "/", "/index.html", "/assets/")
            : List.copyOf(exemptPaths);
  }
}
