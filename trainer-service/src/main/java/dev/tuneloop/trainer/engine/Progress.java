package dev.tuneloop.trainer.engine;

/**
 * A job's progress after an optimizer step.
 *
 * @param evalLoss the latest eval loss, NaN before the first evaluation or without an eval set
 * @param etaSeconds remaining steps at the recent rate
 */
public record Progress(
    long step,
    long totalSteps,
    double epoch,
    double loss,
    double evalLoss,
    double learningRate,
    double gradNorm,
    double tokensPerSecond,
    long etaSeconds) {}
