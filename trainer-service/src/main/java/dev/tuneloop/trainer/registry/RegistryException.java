package dev.tuneloop.trainer.registry;

/**
 * A registry request that cannot be served, with a message the caller can act on; the gRPC endpoint
 * maps {@link #kind()} to the status code.
 */
public final class RegistryException extends RuntimeException {

  /** What went wrong, in the terms of gRPC status codes. */
  public enum Kind {
    /** No such adapter or version (NOT_FOUND). */
    NOT_FOUND,
    /** The request itself is wrong (INVALID_ARGUMENT). */
    INVALID,
    /** The request is fine but the state does not allow it, e.g. nothing to roll back to. */
    PRECONDITION
  }

  private final Kind kind;

  public RegistryException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
