package dev.tuneloop.gateway.api;

import io.micronaut.context.annotation.Primary;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.exceptions.BufferLengthExceededException;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.List;

/**
 * Errors the HTTP server itself answers (unknown route, wrong method, oversized or missing body, an
 * exception no handler knew) in the gateway's OpenAI shape instead of Micronaut's own. The message
 * says what to change; an unexpected exception's text is never shown (it may name hosts, buckets or
 * classes) and stays in the log.
 */
@Primary
@Singleton
public class OpenAiErrorResponses implements ErrorResponseProcessor<String> {
  private final long maxRequestSize;
  private final long maxBufferSize;

  public OpenAiErrorResponses(HttpServerConfiguration server) {
    this.maxRequestSize = server.getMaxRequestSize();
    this.maxBufferSize = server.getMaxRequestBufferSize();
  }

  @Override
  public MutableHttpResponse<String> processResponse(
      ErrorContext context, MutableHttpResponse<?> response) {
    HttpStatus status = response.getStatus();
    String message = message(status, context);
    String type =
        switch (status) {
          case NOT_FOUND -> "not_found";
          case METHOD_NOT_ALLOWED -> "method_not_allowed";
          case REQUEST_ENTITY_TOO_LARGE -> "request_too_large";
          default -> status.getCode() >= 500 ? "server_error" : "invalid_request_error";
        };
    return response
        .contentType(MediaType.APPLICATION_JSON_TYPE)
        .body(ApiErrors.body(status, type, null, message).toString());
  }

  private String message(HttpStatus status, ErrorContext context) {
    HttpRequest<?> request = context.getRequest();
    String route = request.getMethodName() + " " + request.getPath();
    return switch (status) {
      case NOT_FOUND -> "No such route: " + route + ".";
      case METHOD_NOT_ALLOWED ->
          "Method "
              + request.getMethodName()
              + " is not allowed for "
              + request.getPath()
              + "; allowed: "
              + String.join(", ", allowedMethods(context))
              + ".";
      case REQUEST_ENTITY_TOO_LARGE ->
          // A body read whole stops at the buffer limit; only a streamed upload may go further.
          context.getRootCause().orElse(null) instanceof BufferLengthExceededException
              ? "The request body is larger than the limit of "
                  + maxBufferSize
                  + " bytes (micronaut.server.max-request-buffer-size) for a body read whole; send"
                  + " less per request, e.g. an array split in parts, or JSON Lines to POST"
                  + " /v1/datasets/{dataset}/examples:upload, which streams up to "
                  + maxRequestSize
                  + " bytes."
              : "The request body is larger than the limit of "
                  + maxRequestSize
                  + " bytes (micronaut.server.max-request-size); send less per request, e.g. an"
                  + " array split in parts.";
      case BAD_REQUEST ->
          isMissingBody(context)
              ? "The request body is empty; send a JSON document."
              : "Bad request to " + route + ": " + firstMessage(context);
      default ->
          status.getCode() >= 500
              ? "The gateway failed on " + route + "; the details are in its log."
              : status.getReason() + ": " + firstMessage(context);
    };
  }

  /** Allowed methods, from Micronaut's message "... Allowed methods: [GET, POST]". */
  private static List<String> allowedMethods(ErrorContext context) {
    String text = firstMessage(context);
    int open = text.lastIndexOf('[');
    int close = text.lastIndexOf(']');
    if (!text.contains("Allowed methods") || open < 0 || close < open) {
      return List.of("see the API in the gateway's README");
    }
    return Arrays.stream(text.substring(open + 1, close).split(",")).map(String::strip).toList();
  }

  private static boolean isMissingBody(ErrorContext context) {
    return firstMessage(context).startsWith("Required Body");
  }

  private static String firstMessage(ErrorContext context) {
    return context.getErrors().isEmpty() ? "" : context.getErrors().getFirst().getMessage();
  }
}
