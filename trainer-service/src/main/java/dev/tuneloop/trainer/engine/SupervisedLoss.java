package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;

/**
 * Cross-entropy over supervised target tokens only. The supervised rows are picked out of the
 * logits first, so the softmax runs over them alone: prompt and padding positions cost nothing and
 * cannot disturb the loss.
 */
public final class SupervisedLoss {

  private SupervisedLoss() {}

  /**
   * The summed negative log-likelihood of the supervised targets.
   *
   * @param logits (B, T, V)
   * @param positions (N) int64 flat indices into B·T of the supervised positions
   * @param labels (N) int64 the token that should follow each of them
   * @return a scalar: −Σ log softmax(logits[position])[label]
   */
  public static NDArray negativeLogLikelihood(NDArray logits, NDArray positions, NDArray labels) {
    long vocab = logits.getShape().get(2);
    NDArray rows = logits.reshape(-1, vocab).get(positions); // (N, V)
    NDArray picked = rows.logSoftmax(-1).gather(labels.expandDims(-1), -1); // (N, 1)
    return picked.sum().neg();
  }
}
