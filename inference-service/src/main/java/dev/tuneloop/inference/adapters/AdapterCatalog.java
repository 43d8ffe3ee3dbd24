package dev.tuneloop.inference.adapters;

import dev.tuneloop.proto.v1.AdapterPublished;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable view of every adapter version seen on adapters.published, per tenant and name. Like
 * the compacted topic, the latest publication of a name is its newest version; older versions stay
 * addressable as {@code name@version} while this process remembers them (after compaction and a
 * restart only the newest remains). Publishing returns a new catalog, so readers never lock
 * (copy-on-write).
 */
public final class AdapterCatalog {
  public static final AdapterCatalog EMPTY = new AdapterCatalog(Map.of());

  /** "tenant/name" -> versions in publication order, the newest last. */
  private final Map<String, List<AdapterPublished>> byName;

  private AdapterCatalog(Map<String, List<AdapterPublished>> byName) {
    this.byName = byName;
  }

  private static String key(String tenant, String name) {
    return AdapterId.tenant(tenant) + "/" + name;
  }

  /**
   * A catalog that also holds {@code published}; republishing a version replaces it and makes it
   * the newest.
   */
  public AdapterCatalog with(AdapterPublished published) {
    Map<String, List<AdapterPublished>> copy = new LinkedHashMap<>(byName);
    List<AdapterPublished> versions =
        new ArrayList<>(
            copy.getOrDefault(key(published.getTenant(), published.getName()), List.of()));
    versions.removeIf(v -> v.getVersion().equals(published.getVersion()));
    versions.add(published);
    copy.put(key(published.getTenant(), published.getName()), List.copyOf(versions));
    return new AdapterCatalog(Map.copyOf(copy));
  }

  /**
   * Every version of a name seen, in publication order (the newest last), or an error that says
   * what names exist.
   */
  public List<AdapterPublished> versions(String tenant, String name) {
    List<AdapterPublished> versions = byName.get(key(tenant, name));
    if (versions == null) {
      throw new AdapterNotFoundException(
          "unknown adapter \""
              + name
              + "\" for tenant \""
              + AdapterId.tenant(tenant)
              + "\"; known adapters: "
              + names(tenant));
    }
    return versions;
  }

  /**
   * The publication a non-base reference points to (a plain name: the latest publication), or an
   * error that says what exists.
   */
  public AdapterPublished resolve(String tenant, AdapterRef ref) {
    List<AdapterPublished> versions = versions(tenant, ref.name());
    if (ref.version() == null) {
      return versions.getLast();
    }
    return versions.stream()
        .filter(v -> v.getVersion().equals(ref.version()))
        .findFirst()
        .orElseThrow(
            () ->
                new AdapterNotFoundException(
                    "adapter \""
                        + ref.name()
                        + "\" has no version \""
                        + ref.version()
                        + "\"; known versions: "
                        + versions.stream().map(AdapterPublished::getVersion).toList()));
  }

  /** The publication of one exact version, if seen. */
  public java.util.Optional<AdapterPublished> find(AdapterId id) {
    return byName.getOrDefault(key(id.tenant(), id.name()), List.of()).stream()
        .filter(v -> v.getVersion().equals(id.version()))
        .findFirst();
  }

  /** The newest version of each adapter of a tenant (all tenants when {@code tenant} is null). */
  public List<AdapterPublished> newest(String tenant) {
    String prefix = tenant == null ? null : AdapterId.tenant(tenant) + "/";
    return byName.entrySet().stream()
        .filter(e -> prefix == null || e.getKey().startsWith(prefix))
        .map(e -> e.getValue().getLast())
        .toList();
  }

  private List<String> names(String tenant) {
    return newest(tenant).stream().map(AdapterPublished::getName).sorted().toList();
  }
}
