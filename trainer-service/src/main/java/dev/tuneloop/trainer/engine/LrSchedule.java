package dev.tuneloop.trainer.engine;

/**
 * Learning rate per optimizer step, as Hugging Face's schedulers compute it: a linear warmup from 0
 * over {@code warmupSteps}, then cosine decay to 0, linear decay to 0, or constant, reaching the
 * end at {@code totalSteps}.
 */
public record LrSchedule(LrSchedulerType type, double peak, long warmupSteps, long totalSteps) {

  /**
   * Warmup takes ceil(warmup_ratio × total steps), as in transformers' {@code get_warmup_steps}.
   */
  public static LrSchedule of(TrainingConfig config, long totalSteps) {
    long warmup = (long) Math.ceil(config.warmupRatio() * totalSteps);
    return new LrSchedule(config.lrScheduler(), config.learningRate(), warmup, totalSteps);
  }

  /** The rate used by the optimizer step that follows {@code step} completed steps (0-based). */
  public double at(long step) {
    if (step < warmupSteps) {
      return peak * step / Math.max(1, warmupSteps);
    }
    double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return switch (type) {
      case CONSTANT -> peak;
      case LINEAR -> peak * Math.max(0, 1 - progress);
      case COSINE -> peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
    };
  }
}
