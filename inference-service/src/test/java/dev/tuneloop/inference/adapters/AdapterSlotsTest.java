package dev.tuneloop.inference.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSpec;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.proto.v1.AdapterPublished;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Loaded adapters get a slot that batches select by; closing the served adapter frees it; too high
 * a rank is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdapterSlotsTest {
  private LoadedModel model;
  private AdapterSlots slots;

  @BeforeAll
  void start() {
    model = BuiltinModels.stories260K();
    slots = new AdapterSlots(model, 4);
  }

  @AfterAll
  void stop() {
    slots.close();
    model.close();
  }

  private AdapterLoader<ServedAdapter> loaderOfRank(int rank) {
    return slots.slotting(
        published ->
            new ServedAdapter(
                LoraAdapter.initialize(
                    model.config(),
                    LoraSpec.of(rank, 8f, LoraTarget.Q, LoraTarget.V),
                    model.manager(),
                    1),
                ""));
  }

  private static AdapterPublished published(String name) {
    return AdapterPublished.newBuilder().setTenant("acme").setName(name).setVersion("v1").build();
  }

  @Test
  void aLoadedAdapterGetsASlotUntilItIsClosed() {
    ServedAdapter first = loaderOfRank(4).load(published("first"));
    ServedAdapter second = loaderOfRank(2).load(published("second"));

    assertThat(first.slot()).isPositive();
    assertThat(second.slot()).isPositive().isNotEqualTo(first.slot());
    assertThat(slots.resident().slot("acme/first@v1")).isEqualTo(first.slot());
    first.close();
    assertThatThrownBy(() -> slots.resident().slot("acme/first@v1"))
        .hasMessageContaining("not resident");
    assertThat(slots.resident().slot("acme/second@v1")).isEqualTo(second.slot());
    second.close();
  }

  @Test
  void aRankAboveTheMaximumIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> loaderOfRank(8).load(published("wide")))
        .isInstanceOf(AdapterUnavailableException.class)
        .hasMessageContaining("acme/wide@v1")
        .hasMessageContaining("rank 8")
        .hasMessageContaining("tuneloop.inference.max-adapter-rank");
  }
}
