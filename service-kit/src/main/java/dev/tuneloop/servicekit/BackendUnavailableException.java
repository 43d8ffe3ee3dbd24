package dev.tuneloop.servicekit;

/**
 * Kafka or S3 could not be reached at startup; the message names the address and the setting to
 * fix.
 */
public final class BackendUnavailableException extends RuntimeException {
  public BackendUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
