package dev.tuneloop.trainer.engine;

/**
 * Every hyperparameter of a job with defaults resolved and values validated ({@link
 * TrainingSpecs#toConfig}). Names follow PEFT/Axolotl: {@code learning_rate} is {@link
 * #learningRate}, and so on.
 *
 * @param maxSteps optimizer steps to run; 0 means "num_epochs passes over the training split"
 * @param evalFraction share of the examples held out for evaluation (0: none, unless an explicit
 *     eval set is given)
 * @param maxGradNorm clip gradients to this global L2 norm; 0 turns clipping off
 */
public record TrainingConfig(
    LoraSettings lora,
    double learningRate,
    double weightDecay,
    double adamBeta1,
    double adamBeta2,
    double adamEpsilon,
    LrSchedulerType lrScheduler,
    double warmupRatio,
    double maxGradNorm,
    int microBatchSize,
    int gradientAccumulationSteps,
    int numEpochs,
    int maxSteps,
    int maxSeqLen,
    double evalFraction,
    long seed,
    boolean trainOnInputs,
    int evalSteps,
    int checkpointSteps,
    int earlyStoppingPatience,
    boolean samplePacking,
    Truncation truncation) {

  /** A copy with another peak learning rate. */
  public TrainingConfig withLearningRate(double rate) {
    return new TrainingConfig(
        lora,
        rate,
        weightDecay,
        adamBeta1,
        adamBeta2,
        adamEpsilon,
        lrScheduler,
        warmupRatio,
        maxGradNorm,
        microBatchSize,
        gradientAccumulationSteps,
        numEpochs,
        maxSteps,
        maxSeqLen,
        evalFraction,
        seed,
        trainOnInputs,
        evalSteps,
        checkpointSteps,
        earlyStoppingPatience,
        samplePacking,
        truncation);
  }

  /** A copy with other step limits, for tests and benchmarks. */
  public TrainingConfig withSteps(int maxSteps, int evalSteps, int checkpointSteps) {
    return new TrainingConfig(
        lora,
        learningRate,
        weightDecay,
        adamBeta1,
        adamBeta2,
        adamEpsilon,
        lrScheduler,
        warmupRatio,
        maxGradNorm,
        microBatchSize,
        gradientAccumulationSteps,
        numEpochs,
        maxSteps,
        maxSeqLen,
        evalFraction,
        seed,
        trainOnInputs,
        evalSteps,
        checkpointSteps,
        earlyStoppingPatience,
        samplePacking,
        truncation);
  }
}
