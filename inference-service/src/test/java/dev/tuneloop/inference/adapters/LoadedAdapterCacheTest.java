package dev.tuneloop.inference.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadedAdapterCacheTest {
  /** A stand-in for a loaded adapter that records whether it was freed. */
  static final class Weights implements AutoCloseable {
    final AdapterId id;
    volatile boolean closed;

    Weights(AdapterId id) {
      this.id = id;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private final List<Weights> loaded = new ArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();

  private LoadedAdapterCache<Weights> cache(int capacity) {
    return new LoadedAdapterCache<>(
        capacity,
        id -> {
          loads.incrementAndGet();
          Weights w = new Weights(id);
          loaded.add(w);
          return w;
        });
  }

  private static AdapterId id(String name) {
    return new AdapterId("t", name, "v1");
  }

  @Test
  void evictsTheLeastRecentlyUsedAndReloadsItOnDemand() {
    LoadedAdapterCache<Weights> cache = cache(2);
    cache.acquire(id("a")).close();
    cache.acquire(id("b")).close();
    cache.acquire(id("a")).close(); // a is now more recent than b
    cache.acquire(id("c")).close(); // evicts b

    assertThat(cache.residentIds()).containsExactlyInAnyOrder(id("a"), id("c"));
    assertThat(loaded.get(1).id).isEqualTo(id("b"));
    assertThat(loaded.get(1).closed).isTrue();

    try (var lease = cache.acquire(id("b"))) {
      assertThat(lease.adapter().closed).isFalse();
    }
    assertThat(loads).hasValue(4);
  }

  @Test
  void anAdapterInUseIsFreedOnlyWhenItsLastLeaseEnds() {
    LoadedAdapterCache<Weights> cache = cache(1);
    var lease = cache.acquire(id("a"));
    cache.acquire(id("b")).close(); // evicts a, which is still in use

    assertThat(lease.adapter().closed).isFalse();
    lease.close();
    assertThat(loaded.getFirst().closed).isTrue();
  }

  @Test
  void aFailedLoadIsReportedAndRetriedNextTime() {
    AtomicInteger attempts = new AtomicInteger();
    LoadedAdapterCache<Weights> cache =
        new LoadedAdapterCache<>(
            2,
            id -> {
              if (attempts.incrementAndGet() == 1) {
                throw new AdapterUnavailableException("object store down", null);
              }
              return new Weights(id);
            });

    assertThatThrownBy(() -> cache.acquire(id("a"))).hasMessage("object store down");
    assertThat(cache.isResident(id("a"))).isFalse();
    try (var lease = cache.acquire(id("a"))) {
      assertThat(lease.adapter().id).isEqualTo(id("a"));
    }
    assertThat(cache.isResident(id("a"))).isTrue();
  }
}
