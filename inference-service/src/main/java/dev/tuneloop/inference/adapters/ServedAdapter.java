package dev.tuneloop.inference.adapters;

import dev.tuneloop.llm.lora.LoraAdapter;

/**
 * A loaded adapter and the chat template it was trained with (a template name; empty: the base model's own).
 * Closing it frees the adapter's native memory.
 */
public record ServedAdapter(LoraAdapter lora, String chatTemplate) implements AutoCloseable {
    @Override
    public void close() {
        lora.close();
    }
}
