package dev.tuneloop.inference.adapters;

/**
 * An alias (production for a plain name) points at a version that cannot be served now: it failed
 * to load, or this replica has no publication of it. Every replica answers an alias with the same
 * version, so there is no fallback to another one; the fix is to promote a version that loads (or
 * to wait for the publication).
 */
public class AliasTargetUnavailableException extends RuntimeException {
  public AliasTargetUnavailableException(String message) {
    super(message);
  }

  public AliasTargetUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
