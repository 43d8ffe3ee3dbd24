package dev.tuneloop.gateway.auth;

import dev.tuneloop.gateway.api.ApiErrors;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.FilterPatternStyle;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer-token auth: maps the API key to its tenant (a request attribute) or answers 401 with a
 * JSON error. Configured exempt paths (health, dashboard assets) pass without a key.
 */
@ServerFilter(value = "/**", patternStyle = FilterPatternStyle.ANT)
@Context // created at start, so missing or development keys stop the start, not the first request
public class ApiKeyFilter {
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyFilter.class);
  private static final String BEARER = "Bearer ";

  /** The key the local default configuration ships with. */
  static final String DEV_KEY = "dev-key";

  private final AuthConfig config;
  private final ApiKeys keys;

  public ApiKeyFilter(AuthConfig config) {
    this.config = config;
    this.keys = ApiKeys.parse(config.apiKeys());
    if (config.enabled() && keys.isEmpty()) {
      throw new IllegalStateException(
          "tuneloop.gateway.auth.enabled is true but tuneloop.gateway.auth.api-keys (env"
              + " GATEWAY_API_KEYS) is empty: add \"key:tenant\" entries (create keys with"
              + " `openssl rand -hex 32`, see docs/security.md) or set enabled: false");
    }
    if (config.enabled() && keys.tenantOf(DEV_KEY).isPresent() && !config.allowDevKey()) {
      throw new IllegalStateException(
          "tuneloop.gateway.auth.api-keys holds the development key \""
              + DEV_KEY
              + "\", which everyone knows: create keys with `openssl rand -hex 32` and set"
              + " GATEWAY_API_KEYS (see docs/security.md); only the local default sets"
              + " tuneloop.gateway.auth.allow-dev-key");
    }
    if (config.enabled() && keys.tenantOf(DEV_KEY).isPresent()) {
      LOG.warn(
          "the gateway accepts the built-in API key \"{}\": fine on a laptop, never in a deployment "
              + "(set GATEWAY_API_KEYS)",
          DEV_KEY);
    }
    if (!config.enabled()) {
      LOG.warn("gateway auth is off: every request acts for tenant \"{}\"", config.defaultTenant());
    }
  }

  /** Null lets the request through; a response ends it. */
  @RequestFilter
  @Nullable
  public HttpResponse<?> authenticate(HttpRequest<?> request) {
    if (!config.enabled()) {
      request.setAttribute(Tenant.ATTRIBUTE, config.defaultTenant());
      return null;
    }
    Optional<String> tenant = bearer(request).flatMap(keys::tenantOf);
    if (tenant.isPresent()) {
      request.setAttribute(Tenant.ATTRIBUTE, tenant.get());
      return null;
    }
    if (isExempt(request.getPath())) {
      return null;
    }
    String problem =
        bearer(request).isPresent()
            ? "Invalid API key."
            : "Missing API key: send \"Authorization: Bearer <key>\".";
    return ApiErrors.response(HttpStatus.UNAUTHORIZED, "authentication_error", null, problem)
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
  }

  private static Optional<String> bearer(HttpRequest<?> request) {
    return request
        .getHeaders()
        .getAuthorization()
        .filter(h -> h.regionMatches(true, 0, BEARER, 0, BEARER.length()))
        .map(h -> h.substring(BEARER.length()).strip())
        .filter(k -> !k.isEmpty());
  }

  private boolean isExempt(String path) {
    for (String exempt : config.exemptPaths()) {
      boolean match = exempt.equals("/") ? path.equals("/") : path.startsWith(exempt);
      if (match) {
        return true;
      }
    }
    return false;
  }
}
