package dev.tuneloop.llm.lora;

import java.util.EnumSet;
import java.util.Set;

/**
 * The shape of a LoRA adapter, as PEFT's {@code LoraConfig} names it.
 *
 * @param r rank
 * @param alpha {@code lora_alpha}; the update is scaled by alpha/r, or alpha/sqrt(r) with rsLoRA
 * @param dropout {@code lora_dropout}, applied to the adapter input while training
 * @param targets wrapped projections ({@code target_modules})
 * @param useRslora {@code use_rslora}: rank-stabilised scaling
 */
public record LoraSpec(
    int r, float alpha, float dropout, Set<LoraTarget> targets, boolean useRslora) {

  public LoraSpec {
    if (r < 1) {
      throw new IllegalArgumentException("LoRA rank r must be >= 1, was " + r);
    }
    if (!(dropout >= 0f && dropout < 1f)) {
      throw new IllegalArgumentException("LoRA dropout must be in [0, 1), was " + dropout);
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("LoRA needs at least one target module");
    }
    targets = Set.copyOf(EnumSet.copyOf(targets));
  }

  /** The common default: q and v projections. */
  public static LoraSpec of(int r, float alpha, LoraTarget... targets) {
    return new LoraSpec(r, alpha, 0f, Set.of(targets), false);
  }

  /** The factor on B·A: alpha / r, or alpha / sqrt(r) with rsLoRA. */
  public float scaling() {
    return useRslora ? (float) (alpha / Math.sqrt(r)) : alpha / r;
  }

  public LoraSpec withDropout(float newDropout) {
    return new LoraSpec(r, alpha, newDropout, targets, useRslora);
  }

  public LoraSpec withRslora(boolean rslora) {
    return new LoraSpec(r, alpha, dropout, targets, rslora);
  }
}
