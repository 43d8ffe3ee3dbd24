package dev.tuneloop.inference.adapters;

import dev.tuneloop.llm.lora.LoraAdapter;

/**
 * A loaded adapter, the chat template it was trained with (a template name; empty: the base model's
 * own) and its slot among the resident adapters that batches choose from (0 until {@link
 * AdapterSlots} gives it one). Closing it frees the slot, then the adapter's native memory.
 */
public record ServedAdapter(LoraAdapter lora, String chatTemplate, int slot, Runnable freeSlot)
    implements AutoCloseable {

  /** Loaded, not yet in a slot. */
  public ServedAdapter(LoraAdapter lora, String chatTemplate) {
    this(lora, chatTemplate, 0, () -> {});
  }

  ServedAdapter inSlot(int newSlot, Runnable free) {
    return new ServedAdapter(lora, chatTemplate, newSlot, free);
  }

  @Override
  public void close() {
    try {
      freeSlot.run();
    } finally {
      lora.close();
    }
  }
}
