package dev.tuneloop.inference.adapters;

import dev.tuneloop.proto.v1.AdapterAliases;
import dev.tuneloop.proto.v1.AdapterInfo;
import dev.tuneloop.proto.v1.AdapterPublished;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapters this service can serve. {@link #publish} records a publication and {@link
 * #setAliases} an adapter's alias state (both copy-on-write, so requests in flight are never
 * paused); {@link #acquire} resolves a request's adapter reference against one snapshot of both and
 * hands out a lease on the loaded adapter, reloading it on demand if it was evicted.
 *
 * <p>A plain name answers with the version its production alias points at, and only that one: every
 * replica must answer with the same version, so a production version that is still loading is
 * waited for, and one that cannot be served (corrupt files, another base model, a rank above the
 * maximum, non-finite weights) is {@link AliasTargetUnavailableException} with its reason, never a
 * silent fallback to another version. When an alias moves, its new target is loaded in the
 * background so the first request does not wait.
 *
 * @param <A> the loaded adapter type
 */
public final class AdapterRegistry<A extends AutoCloseable> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterRegistry.class);

  private final AtomicReference<AdapterCatalog> catalog =
      new AtomicReference<>(AdapterCatalog.EMPTY);
  private final LoadedAdapterCache<A> cache;
  private final Map<AdapterId, String> loadErrors = new ConcurrentHashMap<>();

  /**
   * Every publication seen, from adapters.published or an alias record's targets; what the cache
   * loads from. Versions are immutable, so an entry never goes stale.
   */
  private final Map<AdapterId, AdapterPublished> publications = new ConcurrentHashMap<>();

  private final ExecutorService warmer =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("adapter-warmer").daemon().factory());

  public AdapterRegistry(int capacity, AdapterLoader<A> loader) {
    this.cache = new LoadedAdapterCache<>(capacity, id -> loadRecordingErrors(id, loader));
  }

  private A loadRecordingErrors(AdapterId id, AdapterLoader<A> loader) {
    AdapterPublished published = publications.get(id);
    if (published == null) {
      throw new AdapterNotFoundException("adapter " + id + " is not published");
    }
    try {
      A adapter = loader.load(published);
      loadErrors.remove(id);
      LOG.info("loaded adapter {}", id);
      return adapter;
    } catch (RuntimeException e) {
      loadErrors.put(id, e.getMessage() == null ? e.toString() : e.getMessage());
      LOG.warn("cannot load adapter {}: {}", id, e.getMessage());
      throw e;
    }
  }

  /**
   * Records a publication. It is loaded when an alias points at it or a request pins it, not now:
   * the topic keeps every version, and loading all of them at every start would evict the ones in
   * use.
   */
  public void publish(AdapterPublished published) {
    AdapterId id = AdapterId.of(published);
    publications.put(id, published);
    loadErrors.remove(id);
    catalog.updateAndGet(c -> c.with(published));
  }

  /**
   * Records an adapter's whole alias state (the latest adapters.aliases record of it) and warms
   * every version an alias now points at that it did not before. A state older than the one held is
   * ignored ({@link AdapterCatalog#withAliases}).
   */
  public void setAliases(AdapterAliases state) {
    state
        .getTargetsMap()
        .values()
        .forEach(target -> publications.putIfAbsent(AdapterId.of(target), target));
    AdapterCatalog[] before = new AdapterCatalog[1];
    AdapterCatalog after =
        catalog.updateAndGet(
            c -> {
              before[0] = c;
              return c.withAliases(state);
            });
    Map<String, String> was = before[0].aliases(state.getTenant(), state.getName());
    after
        .aliases(state.getTenant(), state.getName())
        .forEach(
            (alias, version) -> {
              if (!version.equals(was.get(alias))) {
                LOG.info(
                    "adapter {}/{}: {} -> {} (was {})",
                    AdapterId.tenant(state.getTenant()),
                    state.getName(),
                    alias,
                    version,
                    was.getOrDefault(alias, "none"));
                warm(new AdapterId(AdapterId.tenant(state.getTenant()), state.getName(), version));
              }
            });
  }

  /**
   * Loads a version in the background so the first request does not wait; skipped if no alias
   * points at it any more by then (a replay from the beginning passes many past states quickly).
   */
  private void warm(AdapterId id) {
    warmer.execute(
        () -> {
          if (!catalog.get().isAliasTarget(id)) {
            return;
          }
          try (var lease = cache.acquire(id)) {
            LOG.debug("warmed {}", lease.adapter());
          } catch (RuntimeException e) {
            // recorded in loadErrors; a request for it tries again and gets the reason
          }
        });
  }

  /**
   * The adapter a request names, resident and leased; {@code null} lease for the base model. The
   * reference is resolved once, against one snapshot of the catalog and the aliases.
   *
   * @throws AdapterNotFoundException for an unknown name, alias or version, or a plain name without
   *     a production version
   * @throws AliasTargetUnavailableException when the version an alias points at cannot be loaded
   * @throws AdapterUnavailableException when a pinned version cannot be loaded
   * @throws IllegalArgumentException for a malformed reference
   */
  public Acquired<A> acquire(String tenant, String reference) {
    AdapterRef ref = AdapterRef.parse(reference);
    if (ref.isBase()) {
      return new Acquired<>(null, "", null);
    }
    AdapterCatalog.Resolution resolved = catalog.get().resolve(tenant, ref);
    AdapterPublished published = resolved.published();
    LoadedAdapterCache.Lease<A> lease;
    try {
      lease = cache.acquire(AdapterId.of(published));
    } catch (RuntimeException e) {
      if (resolved.alias().isEmpty()) {
        throw e;
      }
      throw new AliasTargetUnavailableException(
          "adapter \""
              + ref.name()
              + "\" answers "
              + (ref.version() == null ? "" : ref.name() + "@" + resolved.alias() + " ")
              + "with its "
              + resolved.alias()
              + " version "
              + published.getVersion()
              + ", which cannot be served: "
              + e.getMessage()
              + "; promote a version that loads (POST /v1/adapters/"
              + ref.name()
              + "/promote)",
          e);
    }
    return new Acquired<>(published, resolved.alias(), lease);
  }

  /**
   * Each of the tenant's adapters (every tenant's when null), by name: its production version (its
   * newest while it has none) with why it failed to load if it did, the version the plain name
   * answers with, and its aliases.
   */
  public List<AdapterInfo> list(String tenant) {
    return catalog.get().list(tenant).stream()
        .sorted(Comparator.comparing(l -> l.shown().getName()))
        .map(
            l ->
                AdapterInfo.newBuilder()
                    .setAdapter(l.shown())
                    .setLoaded(cache.isResident(AdapterId.of(l.shown())))
                    .setLoadError(loadErrors.getOrDefault(AdapterId.of(l.shown()), ""))
                    .setServingVersion(l.production())
                    .putAllAliases(l.aliases())
                    .build())
        .toList();
  }

  public int residentCount() {
    return cache.size();
  }

  @Override
  public void close() {
    warmer.shutdownNow();
    cache.close();
  }

  /**
   * A resolved adapter, the alias it was resolved through ("" for a pinned version and the base
   * model) and the lease that keeps it in memory (null for the base model). Close when the
   * generation ends.
   */
  public record Acquired<A extends AutoCloseable>(
      AdapterPublished published, String alias, LoadedAdapterCache.Lease<A> lease)
      implements AutoCloseable {
    public A adapter() {
      return lease == null ? null : lease.adapter();
    }

    public String version() {
      return published == null ? "" : published.getVersion();
    }

    @Override
    public void close() {
      if (lease != null) {
        lease.close();
      }
    }
  }
}
