package dev.tuneloop.trainer.engine;

import java.util.List;

/**
 * The LoRA part of a job, in PEFT's terms: rank {@code r}, {@code lora_alpha}, {@code
 * lora_dropout}, {@code target_modules}, {@code use_rslora}.
 */
public record LoraSettings(
    int r, double alpha, double dropout, List<String> targetModules, boolean useRslora) {

  /** The projections a Llama-family model can adapt, by their Hugging Face names. */
  public static final List<String> KNOWN_MODULES =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  public LoraSettings {
    targetModules = List.copyOf(targetModules);
  }

  /** alpha / r, or alpha / sqrt(r) with rsLoRA. */
  public double scaling() {
    return useRslora ? alpha / Math.sqrt(r) : alpha / r;
  }
}
