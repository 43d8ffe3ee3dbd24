package dev.tuneloop.inference.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.inference.TestAliases;
import dev.tuneloop.proto.v1.AdapterInfo;
import dev.tuneloop.proto.v1.AdapterPublished;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which version a name answers with: the one its production alias points at, and only that one,
 * whether it is still loading or cannot be served. The loader here is a double (the fault kinds
 * themselves are tested end to end in AdapterFaultsTest, the topics in AdapterAliasesTest).
 */
class AdapterRegistryTest {
  private final Set<String> broken = ConcurrentHashMap.newKeySet();
  private final CountDownLatch slowGate = new CountDownLatch(1);
  private final Set<String> loads = ConcurrentHashMap.newKeySet();

  /** Loads "v-slow" only once the gate opens; fails the versions in {@link #broken}. */
  private LoadedAdapterCacheTest.Weights load(AdapterPublished p) {
    loads.add(p.getVersion());
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

  private static String answering(AdapterRegistry<?> registry, String reference) {
    try (var acquired = registry.acquire("acme", reference)) {
      return acquired.version();
    }
  }

  private static AdapterInfo listed(AdapterRegistry<?> registry) {
    return registry.list("acme").getFirst();
  }

  @Test
  void aPlainNameFollowsProductionAndAMoveWarmsTheNewTarget() {
    try (var registry = new AdapterRegistry<>(4, this::load)) {
      registry.publish(version("v1"));
      registry.publish(version("v2"));
      assertThat(loads).as("publishing alone loads nothing").isEmpty();

      registry.setAliases(TestAliases.production(version("v1"), 1));
      await().until(() -> listed(registry).getLoaded());
      assertThat(loads).containsExactly("v1");
      assertThat(answering(registry, "bot")).isEqualTo("v1");

      registry.setAliases(
          TestAliases.state(
              "acme", "bot", 2, Map.of("production", version("v1"), "candidate", version("v2"))));
      await().until(() -> loads.contains("v2")); // warmed before anyone asks
      assertThat(answering(registry, "bot")).isEqualTo("v1");
      try (var acquired = registry.acquire("acme", "bot@candidate")) {
        assertThat(acquired.version()).isEqualTo("v2");
        assertThat(acquired.alias()).isEqualTo("candidate");
      }

      registry.setAliases(TestAliases.production(version("v2"), 3));
      try (var acquired = registry.acquire("acme", "bot")) {
        assertThat(acquired.version()).isEqualTo("v2");
        assertThat(acquired.alias()).isEqualTo("production");
      }
      AdapterInfo info = listed(registry);
      assertThat(info.getAdapter().getVersion()).isEqualTo("v2");
      assertThat(info.getServingVersion()).isEqualTo("v2");
      assertThat(info.getAliasesMap()).containsExactly(Map.entry("production", "v2"));
    }
  }

  @Test
  void aProductionVersionThatFailsIsUnavailableWithItsReasonNotReplacedByAnother() {
    broken.add("v2");
    try (var registry = new AdapterRegistry<>(4, this::load)) {
      registry.publish(version("v1"));
      registry.setAliases(TestAliases.production(version("v1"), 1));
      await().until(() -> listed(registry).getLoaded());
      registry.publish(version("v2"));
      registry.setAliases(TestAliases.production(version("v2"), 2));
      await().until(() -> !listed(registry).getLoadError().isEmpty());

      assertThatThrownBy(() -> registry.acquire("acme", "bot"))
          .isInstanceOf(AliasTargetUnavailableException.class)
          .hasMessage(
              "adapter \"bot\" answers with its production version v2, which cannot be served:"
                  + " adapter bot@v2 is corrupt; promote a version that loads"
                  + " (POST /v1/adapters/bot/promote)");
      AdapterInfo info = listed(registry);
      assertThat(info.getAdapter().getVersion()).isEqualTo("v2");
      assertThat(info.getLoadError()).isEqualTo("adapter bot@v2 is corrupt");
      assertThat(info.getServingVersion()).isEqualTo("v2");
      assertThatThrownBy(() -> registry.acquire("acme", "bot@v2"))
          .isInstanceOf(AdapterUnavailableException.class)
          .hasMessage("adapter bot@v2 is corrupt");
      assertThat(answering(registry, "bot@v1")).isEqualTo("v1"); // still there, pinned

      registry.setAliases(TestAliases.production(version("v1"), 3)); // rolled back
      assertThat(answering(registry, "bot")).isEqualTo("v1");
    }
  }

  @Test
  void aProductionVersionStillLoadingIsWaitedFor() throws Exception {
    try (var registry = new AdapterRegistry<>(4, this::load)) {
      registry.publish(version("v1"));
      registry.setAliases(TestAliases.production(version("v1"), 1));
      await().until(() -> listed(registry).getLoaded());
      registry.publish(version("v-slow"));
      registry.setAliases(TestAliases.production(version("v-slow"), 2));

      var request = CompletableFuture.supplyAsync(() -> answering(registry, "bot"));
      await().until(() -> loads.contains("v-slow"));
      assertThat(request).isNotDone(); // not answered by v1 meanwhile
      slowGate.countDown();
      assertThat(request.get(30, TimeUnit.SECONDS)).isEqualTo("v-slow");
    }
  }

  @Test
  void aPlainNameWithoutProductionIsNotFoundNamingWhatCanBePinned() {
    try (var registry = new AdapterRegistry<>(4, this::load)) {
      registry.publish(version("v1"));

      assertThatThrownBy(() -> registry.acquire("acme", "bot"))
          .isInstanceOf(AdapterNotFoundException.class)
          .hasMessageContaining("no production version yet")
          .hasMessageContaining("bot@v1")
          .hasMessageContaining("POST /v1/adapters/bot/promote");
      assertThat(listed(registry).getServingVersion()).isEmpty();
      assertThat(answering(registry, "bot@v1")).isEqualTo("v1");
    }
  }

  @Test
  void aRequestKeepsTheVersionItResolvedWhileTheAliasMoves() {
    try (var registry = new AdapterRegistry<>(1, this::load)) {
      registry.publish(version("v1"));
      registry.publish(version("v2"));
      registry.setAliases(TestAliases.production(version("v1"), 1));
      LoadedAdapterCacheTest.Weights v1;
      try (var inFlight = registry.acquire("acme", "bot")) {
        v1 = inFlight.adapter();
        registry.setAliases(TestAliases.production(version("v2"), 2));
        assertThat(answering(registry, "bot")).isEqualTo("v2"); // evicts v1 from the one slot
        assertThat(inFlight.version()).isEqualTo("v1");
        assertThat(v1.closed).as("freed while in use").isFalse();
      }
      // freed once the last lease ends (a background warm-up may hold one for a moment longer)
      await().until(() -> v1.closed);
    }
  }
}
