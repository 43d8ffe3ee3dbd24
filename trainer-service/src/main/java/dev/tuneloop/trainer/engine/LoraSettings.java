package dev.tuneloop.trainer.engine;

import dev.tuneloop.llm.lora.LoraTarget;
import java.util.Arrays;
import java.util.List;

/**
 * The LoRA part of a job, in PEFT's terms: rank {@code r}, {@code lora_alpha}, {@code
 * lora_dropout}, {@code target_modules}, {@code use_rslora}.
 */
public record LoraSettings(
    int r, double alpha, double dropout, List<String> targetModules, boolean useRslora) {

  /**
   * The projections a Llama-family model can adapt, by their Hugging Face names: the LLM core's
   * {@link LoraTarget}s, which are exactly what inference applies, so the trainer never accepts a
   * module inference could not serve.
   */
  public static final List<String> KNOWN_MODULES =
      Arrays.stream(LoraTarget.values()).map(LoraTarget::moduleName).toList();

  public LoraSettings {
    targetModules = List.copyOf(targetModules);
  }

  /** alpha / r, or alpha / sqrt(r) with rsLoRA. */
  public double scaling() {
    return useRslora ? alpha / Math.sqrt(r) : alpha / r;
  }
}
