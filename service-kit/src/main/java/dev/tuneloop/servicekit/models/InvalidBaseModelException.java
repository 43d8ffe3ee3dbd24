package dev.tuneloop.servicekit.models;

/** A base model name no rule of {@link BaseModelResolver} allows, or one with nothing behind it. */
public final class InvalidBaseModelException extends IllegalArgumentException {
  public InvalidBaseModelException(String message) {
    super(message);
  }
}
