package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What the training loop needs from a model: logits, and the parameters it may change (the LoRA
 * matrices).
 */
public interface TrainableModel {

  /**
   * @param inputs (B, T) token ids, right-padded
   * @param training enables dropout
   * @return (B, T, V) logits
   */
  NDArray logits(NDArray inputs, boolean training);

  /** The trainable arrays, in a fixed order; each requires a gradient. */
  List<NDArray> parameters();
}
