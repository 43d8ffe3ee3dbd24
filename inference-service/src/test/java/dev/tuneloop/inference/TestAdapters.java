package dev.tuneloop.inference;

import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSpec;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.llm.lora.RandomAdapters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Adapters as the trainer would publish them, written with the LLM core's own PEFT writer. */
public final class TestAdapters {
  private TestAdapters() {}

  /**
   * A rank-4 adapter on q_proj and v_proj with seeded random A and B (B scaled by {@code bScale}; 0
   * makes it the identity), saved in PEFT format to {@code dir}.
   */
  public static void writeRandomPeftAdapter(LoadedModel model, Path dir, float bScale, long seed) {
    LoraSpec spec = LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V);
    try (LoraAdapter adapter =
        RandomAdapters.inputScaled(model.config(), spec, model.manager(), seed, bScale)) {
      PeftAdapters.save(adapter, dir, model.id());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
