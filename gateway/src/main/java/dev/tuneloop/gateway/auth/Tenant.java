package dev.tuneloop.gateway.auth;

import io.micronaut.http.HttpRequest;

/** The tenant a request acts for, set by {@link ApiKeyFilter} as a request attribute. */
public final class Tenant {
  static final String ATTRIBUTE = "tuneloop.tenant";

  private Tenant() {}

  public static String of(HttpRequest<?> request) {
    return request
        .getAttribute(ATTRIBUTE, String.class)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no tenant on request "
                        + request.getPath()
                        + ": is the ApiKeyFilter installed?"));
  }
}
