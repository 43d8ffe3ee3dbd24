package dev.tuneloop.ingest;

/**
 * A submitted record that cannot become an example; the message names the field and the problem.
 */
public final class InvalidRecordException extends RuntimeException {
  public InvalidRecordException(String message) {
    super(message);
  }
}
