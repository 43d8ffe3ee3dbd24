package dev.tuneloop.platform.storage;

/** The key (or the bucket) does not exist. */
public final class ObjectNotFoundException extends ObjectStoreException {
  public ObjectNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
