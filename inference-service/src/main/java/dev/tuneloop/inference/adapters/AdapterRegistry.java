package dev.tuneloop.inference.adapters;

import dev.tuneloop.proto.v1.AdapterInfo;
import dev.tuneloop.proto.v1.AdapterPublished;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapters this service can serve. {@link #publish} records a publication (copy-on-write, so
 * requests in flight are never paused) and loads it in the background; {@link #acquire} resolves a
 * request's adapter reference and hands out a lease on the loaded adapter, reloading it on demand
 * if it was evicted.
 *
 * <p>A plain name answers with its newest version that loaded: a newer version that is still
 * loading, or cannot be served (corrupt files, another base model, a rank above the maximum,
 * non-finite weights), never takes the name offline. Its reason is listed; {@code name@version}
 * still asks for it and gets the reason as the error.
 *
 * @param <A> the loaded adapter type
 */
public final class AdapterRegistry<A extends AutoCloseable> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterRegistry.class);

  private final AtomicReference<AdapterCatalog> catalog =
      new AtomicReference<>(AdapterCatalog.EMPTY);
  private final LoadedAdapterCache<A> cache;
  private final Map<AdapterId, String> loadErrors = new ConcurrentHashMap<>();

  /** Versions whose last load succeeded (resident now or evicted since). */
  private final Set<AdapterId> loaded = ConcurrentHashMap.newKeySet();

  private final ExecutorService warmer =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("adapter-warmer").daemon().factory());

  public AdapterRegistry(int capacity, AdapterLoader<A> loader) {
    this.cache = new LoadedAdapterCache<>(capacity, id -> loadRecordingErrors(id, loader));
  }

  private A loadRecordingErrors(AdapterId id, AdapterLoader<A> loader) {
    AdapterPublished published =
        catalog
            .get()
            .find(id)
            .orElseThrow(
                () -> new AdapterNotFoundException("adapter " + id + " is no longer published"));
    try {
      A adapter = loader.load(published);
      loadErrors.remove(id);
      loaded.add(id);
      LOG.info("loaded adapter {}", id);
      return adapter;
    } catch (RuntimeException e) {
      loaded.remove(id);
      loadErrors.put(id, e.getMessage() == null ? e.toString() : e.getMessage());
      LOG.warn("cannot load adapter {}: {}", id, e.getMessage());
      throw e;
    }
  }

  /**
   * Records a publication and warms it (loads it in the background) so the first request does not
   * wait.
   */
  public void publish(AdapterPublished published) {
    catalog.updateAndGet(c -> c.with(published));
    AdapterId id = AdapterId.of(published);
    loadErrors.remove(id);
    warmer.execute(
        () -> {
          try (var lease = cache.acquire(id)) {
            LOG.debug("warmed {}", lease.adapter());
          } catch (RuntimeException e) {
            // recorded in loadErrors; a request for it tries again and gets the reason
          }
        });
  }

  /**
   * The adapter a request names, resident and leased; {@code null} lease for the base model.
   *
   * @throws AdapterNotFoundException for an unknown name or version
   * @throws AdapterUnavailableException when it cannot be loaded
   * @throws IllegalArgumentException for a malformed reference
   */
  public Acquired<A> acquire(String tenant, String reference) {
    AdapterRef ref = AdapterRef.parse(reference);
    if (ref.isBase()) {
      return new Acquired<>(null, null);
    }
    AdapterCatalog current = catalog.get();
    AdapterPublished published =
        ref.version() == null
            ? serving(current.versions(tenant, ref.name()))
            : current.resolve(tenant, ref);
    return new Acquired<>(published, cache.acquire(AdapterId.of(published)));
  }

  /**
   * The version a plain name answers with: the newest that loaded; else (none has yet) the newest
   * that has not failed, whose load the request waits for; else the newest, which fails with its
   * reason.
   *
   * @param versions in publication order, the newest last
   */
  private AdapterPublished serving(List<AdapterPublished> versions) {
    List<AdapterPublished> newestFirst = versions.reversed();
    return newestFirst.stream()
        .filter(v -> loaded.contains(AdapterId.of(v)))
        .findFirst()
        .or(
            () ->
                newestFirst.stream()
                    .filter(v -> !loadErrors.containsKey(AdapterId.of(v)))
                    .findFirst())
        .orElse(versions.getLast());
  }

  /** The version {@link #serving} picks among those loaded, or "" when none has loaded. */
  private String servingVersion(List<AdapterPublished> versions) {
    return versions.reversed().stream()
        .filter(v -> loaded.contains(AdapterId.of(v)))
        .map(AdapterPublished::getVersion)
        .findFirst()
        .orElse("");
  }

  /**
   * The newest version of each of the tenant's adapters (every tenant's when null), by name, with
   * why it failed to load if it did, and the version the name answers with.
   */
  public List<AdapterInfo> list(String tenant) {
    AdapterCatalog current = catalog.get();
    return current.newest(tenant).stream()
        .sorted(Comparator.comparing(AdapterPublished::getName))
        .map(
            p ->
                AdapterInfo.newBuilder()
                    .setAdapter(p)
                    .setLoaded(cache.isResident(AdapterId.of(p)))
                    .setLoadError(loadErrors.getOrDefault(AdapterId.of(p), ""))
                    .setServingVersion(servingVersion(current.versions(p.getTenant(), p.getName())))
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
   * A resolved adapter and the lease that keeps it in memory; both null for the base model. Close
   * when the generation ends.
   */
  public record Acquired<A extends AutoCloseable>(
      AdapterPublished published, LoadedAdapterCache.Lease<A> lease) implements AutoCloseable {
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
