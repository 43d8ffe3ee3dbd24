package dev.tuneloop.inference.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.proto.v1.AdapterInfo;
import dev.tuneloop.proto.v1.AdapterPublished;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Which version a plain name answers with: the newest that loaded, whatever newer versions are
 * still loading or have failed. The loader here is a double (the fault kinds themselves are tested
 * end to end in AdapterFaultsTest).
 */
class AdapterRegistryTest {
  private final Set<String> broken = ConcurrentHashMap.newKeySet();
  private final CountDownLatch slowGate = new CountDownLatch(1);

  /** Loads "v-slow" only once the gate opens; fails the versions in {@link #broken}. */
  private LoadedAdapterCacheTest.Weights load(AdapterPublished p) {
    if (p.getVersion().equals("v-slow")) {
      try {
        slowGate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (broken.contains(p.getVersion())) {
      throw new AdapterUnavailableException("adapter bot@" + p.getVersion() + " is corrupt", null);
    }
    return new LoadedAdapterCacheTest.Weights(AdapterId.of(p));
  }

  private static AdapterPublished version(String v) {
    return AdapterPublished.newBuilder().setTenant("acme").setName("bot").setVersion(v).build();
  }

  private static String answering(AdapterRegistry<?> registry) {
    try (var acquired = registry.acquire("acme", "bot")) {
      return acquired.version();
    }
  }

  private static AdapterInfo listed(AdapterRegistry<?> registry) {
    return registry.list("acme").getFirst();
  }

  @Test
  void aVersionThatFailsLeavesTheNameOnTheNewestThatLoaded() {
    broken.add("v2");
    try (var registry = new AdapterRegistry<>(4, this::load)) {
      registry.publish(version("v1"));
      await().until(() -> listed(registry).getLoaded());
      registry.publish(version("v2"));
      await().until(() -> !listed(registry).getLoadError().isEmpty());

      assertThat(answering(registry)).isEqualTo("v1");
      AdapterInfo info = listed(registry);
      assertThat(info.getAdapter().getVersion()).isEqualTo("v2");
      assertThat(info.getLoadError()).isEqualTo("adapter bot@v2 is corrupt");
      assertThat(info.getServingVersion()).isEqualTo("v1");
      assertThatThrownBy(() -> registry.acquire("acme", "bot@v2"))
          .isInstanceOf(AdapterUnavailableException.class)
          .hasMessage("adapter bot@v2 is corrupt");

      registry.publish(version("v3")); // a fixed version takes over once it loads
      await().until(() -> listed(registry).getLoaded());
      assertThat(answering(registry)).isEqualTo("v3");
      assertThat(listed(registry).getServingVersion()).isEqualTo("v3");
    }
  }

  @Test
  void aVersionStillLoadingLeavesTheNameOnTheOneBefore() {
    try (var registry = new AdapterRegistry<>(4, this::load)) {
      registry.publish(version("v1"));
      await().until(() -> listed(registry).getLoaded());
      registry.publish(version("v-slow"));

      assertThat(answering(registry)).isEqualTo("v1");
      slowGate.countDown();
      await().until(() -> listed(registry).getLoaded());
      assertThat(answering(registry)).isEqualTo("v-slow");
    }
  }

  @Test
  void withNoVersionLoadedTheNewestFailureIsTheAnswer() {
    broken.add("v1");
    try (var registry = new AdapterRegistry<>(4, this::load)) {
      registry.publish(version("v1"));
      await().until(() -> !listed(registry).getLoadError().isEmpty());

      assertThat(listed(registry).getServingVersion()).isEmpty();
      assertThatThrownBy(() -> registry.acquire("acme", "bot"))
          .isInstanceOf(AdapterUnavailableException.class)
          .hasMessageContaining("corrupt");
    }
  }
}
