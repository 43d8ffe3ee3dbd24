package dev.tuneloop.gateway.api;

import io.micronaut.http.HttpStatus;

/**
 * The largest gRPC message the gateway sends upstream. Every service keeps gRPC's default inbound
 * limit of 4 MiB, and the gateway's limit on a body read whole ({@code
 * micronaut.server.max-request-buffer-size}) is the same 4 MiB, so a body that passed the door fits
 * a call; a record that grew past it on the way (JSON re-encoding, the envelope) is refused here as
 * too large instead of coming back from the service as RESOURCE_EXHAUSTED, which reads like "busy".
 */
public final class UpstreamLimits {
  /** gRPC's default {@code maxInboundMessageSize}, which every tuneloop service keeps. */
  public static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  private UpstreamLimits() {}

  public static void checkMessageSize(int bytes) {
    if (bytes > MAX_MESSAGE_BYTES) {
      throw tooLarge(bytes + " bytes");
    }
  }

  public static ApiException tooLarge(String size) {
    return new ApiException(
        HttpStatus.REQUEST_ENTITY_TOO_LARGE,
        "request_too_large",
        null,
        "The record is "
            + size
            + "; one record may be at most "
            + MAX_MESSAGE_BYTES
            + " bytes (the services' gRPC message limit, matched by"
            + " micronaut.server.max-request-buffer-size); ingest then applies ingest.max-payload-bytes.");
  }
}
