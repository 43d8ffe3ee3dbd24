package dev.tuneloop.inference.adapters;

import dev.tuneloop.proto.v1.AdapterAliases;
import dev.tuneloop.proto.v1.AdapterPublished;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * An immutable view of every adapter version seen on adapters.published and of every adapter's
 * alias state from adapters.aliases, per tenant and name. Recording either returns a new catalog,
 * so readers never lock (copy-on-write), and a request resolves against one catalog: it sees an
 * adapter's aliases either all before a move or all after it.
 *
 * <p>A plain name is its production alias, {@code name@x} the alias x or else the version x (see
 * {@link #resolve}). An alias target whose publication has not been read here yet is served from
 * the alias record's own copy ({@code AdapterAliases.targets}).
 */
public final class AdapterCatalog {
  /** The alias a plain name answers with. */
  public static final String PRODUCTION = "production";

  public static final AdapterCatalog EMPTY = new AdapterCatalog(Map.of(), Map.of());

  /** "tenant/name" -> versions in publication order, the newest last. */
  private final Map<String, List<AdapterPublished>> byName;

  /** "tenant/name" -> the latest alias state read. */
  private final Map<String, AdapterAliases> aliases;

  private AdapterCatalog(
      Map<String, List<AdapterPublished>> byName, Map<String, AdapterAliases> aliases) {
    this.byName = byName;
    this.aliases = aliases;
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
    return new AdapterCatalog(Map.copyOf(copy), aliases);
  }

  /**
   * A catalog in which {@code state} is the adapter's whole alias state. A state older (lower
   * revision) than the one held is ignored: a consumer that restarts replays the topic from the
   * beginning, and must not take the adapter back through its past states meanwhile.
   */
  public AdapterCatalog withAliases(AdapterAliases state) {
    String key = key(state.getTenant(), state.getName());
    AdapterAliases held = aliases.get(key);
    if (held != null && held.getRevision() > state.getRevision()) {
      return this;
    }
    Map<String, AdapterAliases> copy = new LinkedHashMap<>(aliases);
    copy.put(key, state);
    return new AdapterCatalog(byName, Map.copyOf(copy));
  }

  /** What a reference resolved to: the publication, and the alias it came through ("" if none). */
  public record Resolution(AdapterPublished published, String alias) {}

  /**
   * The publication a non-base reference points to: a plain name the version its production alias
   * points at; {@code name@x} the version alias x points at, else version x itself. Errors say what
   * exists and what can be pinned.
   *
   * @throws AdapterNotFoundException for an unknown name, alias or version, and for a plain name
   *     without a production version
   * @throws AliasTargetUnavailableException when an alias points at a version this replica has no
   *     publication of (an alias record without its target)
   */
  public Resolution resolve(String tenant, AdapterRef ref) {
    String key = key(tenant, ref.name());
    List<AdapterPublished> versions = knownVersions(key);
    if (versions.isEmpty()) {
      throw new AdapterNotFoundException(
          "unknown adapter \""
              + ref.name()
              + "\" for tenant \""
              + AdapterId.tenant(tenant)
              + "\"; known adapters: "
              + names(tenant));
    }
    Map<String, String> pointers = aliasesOf(key);
    String alias = ref.version() == null ? PRODUCTION : ref.version();
    String target = pointers.get(alias);
    if (target != null) {
      return new Resolution(
          find(versions, target)
              .orElseThrow(
                  () ->
                      new AliasTargetUnavailableException(
                          "adapter \""
                              + ref.name()
                              + "\"'s alias "
                              + alias
                              + " points at version "
                              + target
                              + ", which this server has not seen published yet; try again"
                              + " shortly")),
          alias);
    }
    if (ref.version() == null) {
      throw new AdapterNotFoundException(
          "adapter \""
              + ref.name()
              + "\" has no production version yet; pin one of "
              + pinnable(ref.name(), versions, pointers)
              + ", or promote a version with POST /v1/adapters/"
              + ref.name()
              + "/promote");
    }
    return find(versions, ref.version())
        .map(p -> new Resolution(p, ""))
        .orElseThrow(
            () ->
                new AdapterNotFoundException(
                    "adapter \""
                        + ref.name()
                        + "\" has no alias or version \""
                        + ref.version()
                        + "\"; it can be pinned as "
                        + pinnable(ref.name(), versions, pointers)));
  }

  /** "bot@candidate (v3), bot@v1, bot@v2, bot@v3": its aliases, then its versions. */
  private static String pinnable(
      String name, List<AdapterPublished> versions, Map<String, String> pointers) {
    List<String> choices = new ArrayList<>();
    new TreeMap<>(pointers).forEach((a, v) -> choices.add(name + "@" + a + " (" + v + ")"));
    versions.forEach(v -> choices.add(name + "@" + v.getVersion()));
    return String.join(", ", choices);
  }

  private static Optional<AdapterPublished> find(List<AdapterPublished> versions, String version) {
    return versions.stream().filter(v -> v.getVersion().equals(version)).findFirst();
  }

  /**
   * The versions read from adapters.published in publication order, then alias targets not read
   * there (yet).
   */
  private List<AdapterPublished> knownVersions(String key) {
    List<AdapterPublished> versions = new ArrayList<>(byName.getOrDefault(key, List.of()));
    AdapterAliases state = aliases.get(key);
    if (state != null) {
      new TreeMap<>(state.getTargetsMap())
          .values()
          .forEach(
              t -> {
                if (find(versions, t.getVersion()).isEmpty()) {
                  versions.add(t);
                }
              });
    }
    return versions;
  }

  private Map<String, String> aliasesOf(String key) {
    AdapterAliases state = aliases.get(key);
    return state == null ? Map.of() : state.getAliasesMap();
  }

  /** The adapter's aliases (alias -> version), empty when it has none. */
  public Map<String, String> aliases(String tenant, String name) {
    return aliasesOf(key(tenant, name));
  }

  /** The alias state held for an adapter, if any (its revision tells which record it is). */
  public Optional<AdapterAliases> aliasState(String tenant, String name) {
    return Optional.ofNullable(aliases.get(key(tenant, name)));
  }

  /** Whether some alias of the adapter points at this version now. */
  public boolean isAliasTarget(AdapterId id) {
    return aliasesOf(key(id.tenant(), id.name())).containsValue(id.version());
  }

  /**
   * One row per adapter of a tenant (all tenants when {@code tenant} is null): its production
   * version's publication, or its newest when it has no production version, with its aliases.
   *
   * @param production the production version, "" when none
   */
  public record Listing(AdapterPublished shown, String production, Map<String, String> aliases) {}

  public List<Listing> list(String tenant) {
    String prefix = tenant == null ? null : AdapterId.tenant(tenant) + "/";
    TreeSet<String> keys = new TreeSet<>(byName.keySet());
    keys.addAll(aliases.keySet());
    return keys.stream()
        .filter(k -> prefix == null || k.startsWith(prefix))
        .map(
            k -> {
              List<AdapterPublished> versions = knownVersions(k);
              if (versions.isEmpty()) {
                return null; // an alias state without aliases: nothing to show
              }
              Map<String, String> pointers = aliasesOf(k);
              String production = pointers.getOrDefault(PRODUCTION, "");
              AdapterPublished shown =
                  find(versions, production)
                      .orElseGet(
                          () ->
                              byName.containsKey(k) ? byName.get(k).getLast() : versions.getLast());
              return new Listing(shown, production, pointers);
            })
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  private List<String> names(String tenant) {
    String prefix = AdapterId.tenant(tenant) + "/";
    TreeSet<String> keys = new TreeSet<>(byName.keySet());
    keys.addAll(aliases.keySet());
    return keys.stream()
        .filter(k -> k.startsWith(prefix))
        .map(k -> k.substring(prefix.length()))
        .collect(Collectors.toList());
  }
}
