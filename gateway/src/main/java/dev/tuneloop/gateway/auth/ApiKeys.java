package dev.tuneloop.gateway.auth;

import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The configured API keys and the tenant each stands for. */
public final class ApiKeys {
  private final Map<String, String> tenantByKey;

  private ApiKeys(Map<String, String> tenantByKey) {
    this.tenantByKey = Map.copyOf(tenantByKey);
  }

  /**
   * Parses entries {@code "key:tenant"}; refuses blanks and duplicates, naming the entry (never the
   * whole key).
   */
  public static ApiKeys parse(Iterable<String> entries) {
    Map<String, String> byKey = new HashMap<>();
    int index = 0;
    for (String entry : entries) {
      int colon = entry == null ? -1 : entry.lastIndexOf(':');
      if (colon <= 0 || colon == entry.length() - 1) {
        throw new IllegalArgumentException(
            "tuneloop.gateway.auth.api-keys["
                + index
                + "] must be \"key:tenant\" with both parts non-empty");
      }
      String key = entry.substring(0, colon).strip();
      String tenant = entry.substring(colon + 1).strip();
      if (byKey.put(key, tenant) != null) {
        throw new IllegalArgumentException(
            "tuneloop.gateway.auth.api-keys[" + index + "] repeats a key");
      }
      index++;
    }
    return new ApiKeys(byKey);
  }

  /**
   * The tenant of {@code key}, compared in constant time per key so timing does not leak a prefix.
   */
  public Optional<String> tenantOf(String key) {
    byte[] offered = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String found = null;
    for (Map.Entry<String, String> e : tenantByKey.entrySet()) {
      if (MessageDigest.isEqual(
          offered, e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
        found = e.getValue();
      }
    }
    return Optional.ofNullable(found);
  }

  public boolean isEmpty() {
    return tenantByKey.isEmpty();
  }
}
