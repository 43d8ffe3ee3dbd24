package dev.tuneloop.ingest;

/**
 * Ingest is at its in-flight limit: the caller should slow down and retry (gRPC
 * RESOURCE_EXHAUSTED).
 */
public final class BackpressureException extends RuntimeException {
  public BackpressureException(String message) {
    super(message);
  }
}
