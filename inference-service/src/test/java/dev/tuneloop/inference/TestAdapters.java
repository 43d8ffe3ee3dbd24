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
import java.util.function.Consumer;

/** Adapters as the trainer would publish them, written with the LLM core's own PEFT writer. */
public final class TestAdapters {
  private TestAdapters() {}

  /**
   * A rank-4 adapter on q_proj and v_proj with seeded random A and B (B scaled by {@code bScale}; 0
   * makes it the identity), saved in PEFT format to {@code dir}.
   */
  public static void writeRandomPeftAdapter(LoadedModel model, Path dir, float bScale, long seed) {
    writePeftAdapter(
        model, dir, LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V), bScale, seed, a -> {});
  }

  /**
   * A seeded random adapter of the given spec, changed by {@code tamper} before it is saved (to
   * write faulty weights the way a broken training run would).
   */
  public static void writePeftAdapter(
      LoadedModel model,
      Path dir,
      LoraSpec spec,
      float bScale,
      long seed,
      Consumer<LoraAdapter> tamper) {
    try (LoraAdapter adapter =
        RandomAdapters.inputScaled(model.config(), spec, model.manager(), seed, bScale)) {
      tamper.accept(adapter);
      PeftAdapters.save(adapter, dir, model.id());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
