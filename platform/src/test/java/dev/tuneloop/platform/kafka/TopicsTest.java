package dev.tuneloop.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicsTest {
  @Test
  void keysJoinTenantAndNameAndSplitBack() {
    String key = Topics.datasetKey("acme", "support/v2");
    assertThat(key).isEqualTo("acme/support/v2");
    assertThat(Topics.splitKey(key)).containsExactly("acme", "support/v2");
  }

  @Test
  void tenantWithSlashIsRejected() {
    assertThatThrownBy(() -> Topics.adapterKey("a/b", "x")).hasMessageContaining("tenant");
  }

  @Test
  void onlyEventAndAdapterTopicsAreCompacted() {
    assertThat(Topics.all())
        .filteredOn(Topics.Spec::compacted)
        .extracting(Topics.Spec::name)
        .containsExactlyInAnyOrder(
            Topics.TRAINING_EVENTS, Topics.ADAPTERS_PUBLISHED, Topics.ADAPTERS_ALIASES);
    assertThat(Topics.all()).hasSize(9);
  }
}
