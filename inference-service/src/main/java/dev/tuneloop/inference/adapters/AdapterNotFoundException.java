package dev.tuneloop.inference.adapters;

/** The request names an adapter (or version) this service has not seen published for the tenant. */
public class AdapterNotFoundException extends RuntimeException {
  public AdapterNotFoundException(String message) {
    super(message);
  }
}
