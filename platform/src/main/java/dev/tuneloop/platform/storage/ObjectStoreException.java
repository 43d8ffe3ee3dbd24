package dev.tuneloop.platform.storage;

/**
 * An object-store operation failed; the message names the operation, the endpoint, bucket and key.
 */
public class ObjectStoreException extends RuntimeException {
  public ObjectStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public ObjectStoreException(String message) {
    super(message);
  }
}
