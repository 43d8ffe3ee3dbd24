package dev.tuneloop.servicekit.auth;

import java.util.regex.Pattern;

/**
 * The rule for names that become object-key segments or identities (tenants, services, job ids):
 * letters, digits, '.', '_', '-', starting with a letter or digit, at most 128 characters, never
 * "..", so no name can climb out of its folder.
 */
public final class Names {
  public static final String RULE =
      "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit, without \"..\"";

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private Names() {}

  public static boolean isValid(String name) {
    return name != null && SAFE.matcher(name).matches() && !name.contains("..");
  }
}
