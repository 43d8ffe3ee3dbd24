package dev.tuneloop.inference.adapters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code capacity} loaded adapters in memory, least recently used evicted first. A request
 * holds a {@link Lease} while it generates, so eviction never frees weights in use: an evicted
 * adapter is closed when its last lease ends. Loading happens outside the lock, once per adapter
 * however many requests want it at the same time.
 *
 * @param <A> the loaded form (native memory, hence AutoCloseable)
 */
public final class LoadedAdapterCache<A extends AutoCloseable> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LoadedAdapterCache.class);

  private final int capacity;
  private final Function<AdapterId, A> loader;
  private final LinkedHashMap<AdapterId, Entry<A>> entries = new LinkedHashMap<>(16, 0.75f, true);

  public LoadedAdapterCache(int capacity, Function<AdapterId, A> loader) {
    if (capacity < 1) {
      throw new IllegalArgumentException(
          "resident adapter capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    this.loader = loader;
  }

  /**
   * The adapter, loading it if needed; close the lease when done with it. Load failures are
   * rethrown as is.
   */
  public Lease<A> acquire(AdapterId id) {
    Entry<A> entry;
    boolean mustLoad = false;
    List<Entry<A>> evicted;
    synchronized (this) {
      entry = entries.get(id);
      if (entry == null) {
        entry = new Entry<>(id);
        entries.put(id, entry);
        mustLoad = true;
      }
      entry.leases++;
      evicted = evictOverCapacity();
    }
    evicted.forEach(this::closeQuietly);
    if (mustLoad) {
      load(entry);
    }
    try {
      return new Lease<>(this, entry, entry.loaded.join());
    } catch (CompletionException e) {
      release(entry);
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private void load(Entry<A> entry) {
    try {
      entry.loaded.complete(loader.apply(entry.id));
    } catch (RuntimeException e) {
      synchronized (this) {
        entries.remove(entry.id, entry); // a later request tries again
      }
      entry.loaded.completeExceptionally(e);
    }
  }

  /** Whether the adapter is loaded and resident now. */
  public synchronized boolean isResident(AdapterId id) {
    Entry<A> entry = entries.get(id);
    return entry != null && entry.loaded.isDone() && !entry.loaded.isCompletedExceptionally();
  }

  public synchronized List<AdapterId> residentIds() {
    return List.copyOf(entries.keySet());
  }

  /**
   * Evicts the least recently used entries above capacity; those still leased close on their last
   * release.
   */
  private List<Entry<A>> evictOverCapacity() {
    List<Entry<A>> toClose = new ArrayList<>();
    var it = entries.entrySet().iterator();
    while (entries.size() > capacity && it.hasNext()) {
      Entry<A> victim = it.next().getValue();
      if (!victim.loaded.isDone()) {
        continue; // still loading for someone: skip, evict a later one
      }
      it.remove();
      victim.evicted = true;
      if (victim.leases == 0) {
        toClose.add(victim);
      }
    }
    return toClose;
  }

  private void release(Entry<A> entry) {
    boolean close;
    synchronized (this) {
      entry.leases--;
      close = entry.evicted && entry.leases == 0;
    }
    if (close) {
      closeQuietly(entry);
    }
  }

  private void closeQuietly(Entry<A> entry) {
    Optional.ofNullable(entry.loaded.getNow(null))
        .ifPresent(
            adapter -> {
              try {
                adapter.close();
                LOG.info("evicted adapter {}", entry.id);
              } catch (Exception e) {
                LOG.warn("closing adapter {} failed", entry.id, e);
              }
            });
  }

  @Override
  public void close() {
    List<Entry<A>> idle;
    synchronized (this) {
      entries.values().forEach(e -> e.evicted = true); // leased ones close on their last release
      idle = entries.values().stream().filter(e -> e.leases == 0).toList();
      entries.clear();
    }
    idle.forEach(this::closeQuietly);
  }

  private static final class Entry<A> {
    final AdapterId id;
    final CompletableFuture<A> loaded = new CompletableFuture<>();
    int leases; // guarded by the cache
    boolean evicted; // guarded by the cache

    Entry(AdapterId id) {
      this.id = id;
    }
  }

  /** Use of a resident adapter; closing it lets eviction free the adapter. */
  public static final class Lease<A extends AutoCloseable> implements AutoCloseable {
    private final LoadedAdapterCache<A> owner;
    private final Entry<A> entry;
    private final A adapter;
    private boolean closed;

    private Lease(LoadedAdapterCache<A> owner, Entry<A> entry, A adapter) {
      this.owner = owner;
      this.entry = entry;
      this.adapter = adapter;
    }

    public A adapter() {
      return adapter;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        owner.release(entry);
      }
    }
  }

  /** For tests and metrics: how many are resident. */
  public synchronized int size() {
    return entries.size();
  }
}
