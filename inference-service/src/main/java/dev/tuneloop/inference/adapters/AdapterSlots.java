package dev.tuneloop.inference.adapters;

import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.ResidentAdapters;

/**
 * Puts every loaded adapter into a slot of the LLM core's {@link ResidentAdapters}, where a batch
 * picks each sequence's adapter by slot index. The slot is freed when the served adapter is closed,
 * i.e. after eviction and its last lease, so an adapter in use keeps its slot; a batch already
 * running keeps the stacks it started with.
 */
public final class AdapterSlots implements AutoCloseable {
  private final ResidentAdapters resident;
  private final int maxRank;

  /**
   * @param maxRank the highest LoRA rank served (every slot is zero-padded to it; higher ranks are
   *     refused)
   */
  public AdapterSlots(LoadedModel model, int maxRank) {
    this.resident = new ResidentAdapters(model.config(), maxRank, model.manager());
    this.maxRank = maxRank;
  }

  public ResidentAdapters resident() {
    return resident;
  }

  /** {@code loader}, then a slot for what it loaded. */
  public AdapterLoader<ServedAdapter> slotting(AdapterLoader<ServedAdapter> loader) {
    return published -> {
      ServedAdapter loaded = loader.load(published);
      String key = AdapterId.of(published).toString();
      if (loaded.lora().spec().r() > maxRank) {
        loaded.close();
        throw new AdapterUnavailableException(
            "adapter "
                + key
                + " has LoRA rank "
                + loaded.lora().spec().r()
                + ", above the served maximum of "
                + maxRank
                + " (tuneloop.inference.max-adapter-rank)",
            null);
      }
      int slot = resident.put(key, loaded.lora());
      return loaded.inSlot(slot, () -> resident.remove(key));
    };
  }

  @Override
  public void close() {
    resident.close();
  }
}
