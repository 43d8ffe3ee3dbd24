package dev.tuneloop.inference.adapters;

/**
 * The adapter was published but cannot be served: its files are missing or it does not fit the base
 * model.
 */
public class AdapterUnavailableException extends RuntimeException {
  public AdapterUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
