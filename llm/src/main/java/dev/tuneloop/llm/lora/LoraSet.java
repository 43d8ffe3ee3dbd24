package dev.tuneloop.llm.lora;

import ai.djl.ndarray.NDArray;

/**
 * The low-rank updates a forward pass adds to its projections: one trainable {@link LoraAdapter}
 * applied to every sequence, or a per-sequence choice of adapters in one batch ({@link
 * ResidentAdapters.Selection}).
 */
public interface LoraSet {

  /** No adapter: the base model. */
  LoraSet NONE = (layer, target, input, training) -> null;

  /**
   * The update to add to one projection's output, or {@code null} when this set leaves it alone.
   *
   * @param input the projection's input (B, T, in)
   * @param training whether dropout on the adapter input applies
   * @return (B, T, out), or null
   */
  NDArray delta(int layer, LoraTarget target, NDArray input, boolean training);

  static LoraSet none() {
    return NONE;
  }
}
