package dev.tuneloop.inference.adapters;

import dev.tuneloop.proto.v1.AdapterPublished;

/**
 * One version of one tenant's adapter. Blank tenants are the {@value #DEFAULT_TENANT} tenant on
 * both sides.
 */
public record AdapterId(String tenant, String name, String version) {
  public static final String DEFAULT_TENANT = "default";

  public static AdapterId of(AdapterPublished published) {
    return new AdapterId(
        tenant(published.getTenant()), published.getName(), published.getVersion());
  }

  public static String tenant(String tenant) {
    return tenant == null || tenant.isBlank() ? DEFAULT_TENANT : tenant;
  }

  @Override
  public String toString() {
    return tenant + "/" + name + "@" + version;
  }
}
