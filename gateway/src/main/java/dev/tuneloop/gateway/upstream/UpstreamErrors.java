package dev.tuneloop.gateway.upstream;

import dev.tuneloop.gateway.api.ApiException;
import dev.tuneloop.gateway.api.UpstreamLimits;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micronaut.http.HttpStatus;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a gRPC failure of an upstream service into the HTTP answer a client understands, naming the
 * service.
 */
public final class UpstreamErrors {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamErrors.class);

  private UpstreamErrors() {}

  /**
   * Makes one blocking call to {@code service}; a gRPC failure becomes its HTTP answer ({@link
   * #toApi}), anything else passes through.
   */
  public static <T> T call(String service, Supplier<T> rpc) {
    try {
      return rpc.get();
    } catch (StatusRuntimeException e) {
      throw toApi(service, e);
    }
  }

  public static ApiException toApi(String service, Throwable error) {
    Status status = Status.fromThrowable(error);
    String detail =
        status.getDescription() == null ? status.getCode().name() : scrub(status.getDescription());
    if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && isMessageTooLarge(detail)) {
      return UpstreamLimits.tooLarge("larger than the limit");
    }
    return switch (status.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED ->
          new ApiException(
              HttpStatus.SERVICE_UNAVAILABLE,
              "upstream_unavailable",
              null,
              service + " is unavailable: " + detail);
      case INVALID_ARGUMENT, OUT_OF_RANGE ->
          new ApiException(HttpStatus.BAD_REQUEST, "invalid_request_error", null, detail);
      case NOT_FOUND -> new ApiException(HttpStatus.NOT_FOUND, "not_found", null, detail);
      case ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED ->
          new ApiException(HttpStatus.CONFLICT, "conflict", null, detail);
      case RESOURCE_EXHAUSTED ->
          new ApiException(
              HttpStatus.TOO_MANY_REQUESTS, "rate_limited", null, service + " is busy: " + detail);
      case PERMISSION_DENIED ->
          new ApiException(HttpStatus.FORBIDDEN, "permission_denied", null, detail);
      case UNAUTHENTICATED -> { // the gateway's own token, not the client's key: an operator's
        // problem
        LOG.warn(
            "{} refused the gateway's credentials ({}): check"
                + " tuneloop.gateway.upstreams.service-token against its tuneloop.auth.service-tokens",
            service,
            detail);
        yield new ApiException(
            HttpStatus.BAD_GATEWAY,
            "upstream_error",
            null,
            service + " refused the gateway's credentials");
      }
      case UNIMPLEMENTED ->
          new ApiException(
              HttpStatus.NOT_IMPLEMENTED,
              "not_implemented",
              null,
              service + " does not implement this call: " + detail);
      case CANCELLED ->
          new ApiException(
              HttpStatus.SERVICE_UNAVAILABLE,
              "upstream_unavailable",
              null,
              service + " cancelled the call: " + detail);
      default -> // INTERNAL, UNKNOWN, DATA_LOSS: a fault inside the service, its text is not for
          // clients
          new ApiException(
              HttpStatus.BAD_GATEWAY,
              "upstream_error",
              null,
              service + " failed (" + status.getCode() + "); the details are in its log.");
    };
  }

  /** "host:1234", "/10.0.0.7:50051": where a service runs is not the client's business. */
  private static final Pattern ADDRESS = Pattern.compile("/?\\b[\\w.-]+:\\d{2,5}\\b");

  /** "java.lang.IllegalStateException: ": the class of an exception says nothing to a client. */
  private static final Pattern EXCEPTION_CLASS =
      Pattern.compile("\\b(?:[a-z]\\w*\\.)+[A-Z]\\w*(?:Exception|Error)\\b:?\\s*");

  /** An upstream's description, first line only, without addresses and exception classes. */
  static String scrub(String description) {
    String firstLine = description.lines().findFirst().orElse("");
    String noClasses = EXCEPTION_CLASS.matcher(firstLine).replaceAll("");
    return ADDRESS.matcher(noClasses).replaceAll("(address)").strip();
  }

  /** gRPC's own words when a message is over the receiver's limit: too large, not busy. */
  private static boolean isMessageTooLarge(String detail) {
    return detail.contains("exceeds maximum") || detail.contains("larger than max");
  }
}
