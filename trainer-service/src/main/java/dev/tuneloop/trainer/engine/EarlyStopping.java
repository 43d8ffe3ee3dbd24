package dev.tuneloop.trainer.engine;

/**
 * Tracks the best eval loss and stops after {@code patience} evaluations without improvement (0:
 * never stops). A record so that it goes into checkpoints as it is.
 */
public record EarlyStopping(
    int patience, double bestLoss, long bestStep, int evaluationsWithoutImprovement) {

  public static EarlyStopping start(int patience) {
    return new EarlyStopping(patience, Double.POSITIVE_INFINITY, -1, 0);
  }

  /** The state after an evaluation at {@code step}. */
  public EarlyStopping observe(double evalLoss, long step) {
    if (evalLoss < bestLoss) {
      return new EarlyStopping(patience, evalLoss, step, 0);
    }
    return new EarlyStopping(patience, bestLoss, bestStep, evaluationsWithoutImprovement + 1);
  }

  public boolean improvedAt(long step) {
    return bestStep == step;
  }

  public boolean shouldStop() {
    return patience > 0 && evaluationsWithoutImprovement >= patience;
  }
}
