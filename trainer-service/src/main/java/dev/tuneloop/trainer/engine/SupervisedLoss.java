package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Cross-entropy over supervised target tokens only: four native operations per micro-batch. */
public final class SupervisedLoss {

    private SupervisedLoss() {}

    /**
     * The summed negative log-likelihood of the supervised targets.
     *
     * @param logits (B, T, V)
     * @param targets (B, T) int64 next-token ids
     * @param mask (B, T) float, 1 for supervised targets, 0 elsewhere (prompt tokens, padding)
     * @return a scalar: −Σ mask·log softmax(logits)[target]
     */
    public static NDArray negativeLogLikelihood(NDArray logits, NDArray targets, NDArray mask) {
        NDArray logProbabilities = logits.logSoftmax(-1);                                  // (B, T, V)
        NDArray picked = logProbabilities.gather(targets.expandDims(-1), -1).squeeze(-1); // (B, T)
        return picked.mul(mask).sum().neg();
    }

    /** A batch's targets and mask on the device, attached to {@code manager}. */
    public static NDArray[] targetsAndMask(NDManager manager, Batch batch) {
        Shape shape = new Shape(batch.rows(), batch.columns());
        NDArray targets = manager.create(batch.targets(), shape).toType(DataType.INT64, false);
        NDArray mask = manager.create(batch.lossMask(), shape);
        return new NDArray[] {targets, mask};
    }
}
