package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.model.LlamaModel;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The eval loss: mean negative log-likelihood per supervised token, forward only (no dropout, no
 * gradients). The trainer's evaluation and the evaluator's comparison of candidate, production and
 * base use this one function, so their numbers are the same measure.
 */
public final class EvalLoss {

  private EvalLoss() {}

  /**
   * The eval loss of {@code lora} on {@code base} ({@link LoraSet#NONE}: the base model alone) over
   * {@code examples}, batched as the trainer batches its eval split (sorted by length, {@code
   * microBatchSize} rows a forward). Turns autograd off on the calling thread for the call (grad
   * mode is per thread) and restores it after.
   *
   * @param examples each within the model's context (training's are: {@link PreparedData} fits them
   *     to max_seq_len)
   * @return NaN when there is no example
   */
  public static double of(
      LlamaModel base, LoraSet lora, List<SupervisedSequence> examples, int microBatchSize) {
    if (examples.isEmpty()) {
      return Double.NaN;
    }
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      return mean(
          inputs -> base.logits(inputs, null, lora, false),
          new Batcher(microBatchSize, 0, false, 0).evaluation(examples),
          base.manager());
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  /**
   * The mean over ready batches; the caller has autograd off.
   *
   * @param forward (B, T) token ids to (B, T, V) logits, without dropout
   * @param manager the parent of the per-batch scopes that free each batch's arrays
   */
  static double mean(UnaryOperator<NDArray> forward, List<Batch> batches, NDManager manager) {
    double sum = 0;
    long count = 0;
    for (Batch batch : batches) {
      try (NDManager scope = manager.newSubManager()) {
        NDArray inputs = scope.create(batch.inputs(), new Shape(batch.rows(), batch.columns()));
        NDArray logits = forward.apply(inputs);
        sum +=
            SupervisedLoss.negativeLogLikelihood(
                    logits, scope.create(batch.positions()), scope.create(batch.labels()))
                .getFloat();
        count += batch.supervisedTokens();
      }
    }
    return sum / Math.max(1, count);
  }
}
