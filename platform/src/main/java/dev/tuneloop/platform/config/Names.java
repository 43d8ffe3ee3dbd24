package dev.tuneloop.platform.config;

import java.util.regex.Pattern;

/**
 * The one definition of what a tenant, dataset or adapter name and an idempotency key may be, so
 * the gateway and the services refuse the same input with the same words. Names become object-store
 * key segments and Kafka record keys, hence the safe characters; every problem is returned as text
 * for the caller's own error type (HTTP 400, gRPC INVALID_ARGUMENT).
 */
public final class Names {
  /** Characters in a tenant, dataset or adapter name. */
  public static final int MAX_NAME_LENGTH = 64;

  /** Characters in an idempotency key (the {@code Idempotency-Key} header). */
  public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 128;

  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_NAME_LENGTH - 1) + "}");

  /** Visible ASCII: a key travels in an HTTP header and a Kafka header. */
  private static final Pattern KEY =
      Pattern.compile("[\\x21-\\x7E]{1," + MAX_IDEMPOTENCY_KEY_LENGTH + "}");

  private Names() {}

  /** Null when {@code value} is a valid name, else what is wrong with it (without the field). */
  public static String nameProblem(String value) {
    if (value == null || value.isEmpty()) {
      return "is required";
    }
    if (!NAME.matcher(value).matches()) {
      return "'"
          + abbreviate(value)
          + "' must be 1-"
          + MAX_NAME_LENGTH
          + " characters of letters, digits, '.', '_' or '-', starting with a letter or digit";
    }
    return null;
  }

  /** Null when {@code key} is empty (no key) or valid, else what is wrong with it. */
  public static String idempotencyKeyProblem(String key) {
    if (key == null || key.isEmpty() || KEY.matcher(key).matches()) {
      return null;
    }
    if (key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
      return "is "
          + key.length()
          + " characters; the limit is "
          + MAX_IDEMPOTENCY_KEY_LENGTH
          + " (a UUID or a hash fits)";
    }
    return "must be visible ASCII characters without spaces";
  }

  /** A long bad value is echoed only in part, so an error stays readable. */
  private static String abbreviate(String value) {
    return value.length() <= 80 ? value : value.substring(0, 80) + "...";
  }
}
