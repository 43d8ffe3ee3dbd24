package dev.tuneloop.servicekit.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Configured secrets and the name each stands for ({@code "secret:name"} entries): tenant keys or
 * service tokens. Lookups compare every entry in constant time, so timing leaks neither a prefix
 * nor which entry matched.
 */
public final class TokenTable {
  private record Entry(byte[] secret, String name) {}

  private final List<Entry> entries;

  private TokenTable(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Parses {@code "secret:name"} entries (split at the last colon); refuses blanks, bad names and
   * repeated secrets, naming the setting and the entry's index, never the secret.
   */
  public static TokenTable parse(String setting, List<String> values) {
    List<Entry> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i).strip();
      int colon = value.lastIndexOf(':');
      String where = setting + "[" + i + "]";
      if (colon <= 0 || colon == value.length() - 1) {
        throw new IllegalArgumentException(
            where + " must be \"secret:name\" with both parts non-empty");
      }
      String secret = value.substring(0, colon).strip();
      String name = value.substring(colon + 1).strip();
      if (!Names.isValid(name)) {
        throw new IllegalArgumentException(where + " names \"" + name + "\": " + Names.RULE);
      }
      if (!seen.add(secret)) {
        throw new IllegalArgumentException(where + " repeats a secret of an earlier entry");
      }
      entries.add(new Entry(secret.getBytes(StandardCharsets.UTF_8), name));
    }
    return new TokenTable(entries);
  }

  /** The name {@code secret} stands for; every entry is compared, whatever matches. */
  public Optional<String> lookup(String secret) {
    byte[] offered = secret.getBytes(StandardCharsets.UTF_8);
    String found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(offered, entry.secret())) {
        found = entry.name();
      }
    }
    return Optional.ofNullable(found);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }
}
