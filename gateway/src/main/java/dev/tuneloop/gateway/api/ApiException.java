package dev.tuneloop.gateway.api;

import io.micronaut.http.HttpStatus;

/**
 * A request the gateway refuses, with the HTTP status, a message a client can act on and, for bad
 * input, the field at fault. Rendered as an OpenAI-style JSON error body by {@link
 * ApiExceptionHandler}.
 */
public class ApiException extends RuntimeException {
  private final HttpStatus status;
  private final String type;
  private final String param;

  public ApiException(HttpStatus status, String type, String param, String message) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
  }

  /** 400: {@code field} is missing or wrong; the message says how. */
  public static ApiException badField(String field, String message) {
    return new ApiException(
        HttpStatus.BAD_REQUEST, "invalid_request_error", field, field + ": " + message);
  }

  public static ApiException badRequest(String message) {
    return new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", null, message);
  }

  public HttpStatus status() {
    return status;
  }

  public String type() {
    return type;
  }

  /** The offending field, or null. */
  public String param() {
    return param;
  }
}
