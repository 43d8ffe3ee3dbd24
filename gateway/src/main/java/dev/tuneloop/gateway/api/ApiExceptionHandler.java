package dev.tuneloop.gateway.api;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * Renders every {@link ApiException} (bad input, auth, upstream trouble) as the gateway's JSON
 * error body.
 */
@Produces
@Singleton
public class ApiExceptionHandler implements ExceptionHandler<ApiException, HttpResponse<?>> {
  @Override
  public HttpResponse<?> handle(HttpRequest request, ApiException exception) {
    return ApiErrors.response(exception);
  }
}
