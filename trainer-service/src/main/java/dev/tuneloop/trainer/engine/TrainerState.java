package dev.tuneloop.trainer.engine;

import java.util.List;

/**
 * Everything besides tensors that a resumed job needs to continue exactly where it stopped. The
 * data position is (epoch, nextBatch); random numbers derive from (seed, step) and (seed, epoch),
 * so they need no saved state.
 *
 * @param step optimizer steps completed
 * @param epoch the epoch the next micro-batch comes from
 * @param nextBatch index of the next micro-batch within that epoch
 * @param tokensSeen non-padding tokens trained on so far
 * @param skippedSteps optimizer steps skipped because the gradient was not finite
 * @param hasBest whether the checkpoint carries a best-eval copy of the parameters
 */
public record TrainerState(
    long step,
    int epoch,
    int nextBatch,
    long tokensSeen,
    EarlyStopping earlyStopping,
    List<CurvePoint> lossCurve,
    List<CurvePoint> evalCurve,
    int skippedSteps,
    boolean hasBest) {

  public TrainerState {
    lossCurve = List.copyOf(lossCurve);
    evalCurve = List.copyOf(evalCurve);
  }

  public static TrainerState initial(int patience) {
    return new TrainerState(
        0, 0, 0, 0, EarlyStopping.start(patience), List.of(), List.of(), 0, false);
  }
}
