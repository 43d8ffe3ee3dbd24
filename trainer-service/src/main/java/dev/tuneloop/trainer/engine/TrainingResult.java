package dev.tuneloop.trainer.engine;

import java.util.List;

/**
 * How a run ended and what it learned. The model's parameters hold the adapter to publish (the
 * best-eval one when there was an eval set).
 *
 * @param outcome COMPLETED (including an early stop), CANCELLED, or INTERRUPTED (checkpointed for a
 *     resume)
 * @param initialEvalLoss eval loss of the untrained adapter (NaN without an eval set)
 * @param bestEvalLoss eval loss of the returned parameters (NaN without an eval set)
 */
public record TrainingResult(
    Outcome outcome,
    long steps,
    long totalSteps,
    boolean stoppedEarly,
    double finalLoss,
    double initialEvalLoss,
    double bestEvalLoss,
    long bestStep,
    long tokensSeen,
    double tokensPerSecond,
    List<CurvePoint> lossCurve,
    List<CurvePoint> evalCurve,
    List<String> warnings) {

  public enum Outcome {
    COMPLETED,
    CANCELLED,
    INTERRUPTED
  }
}
