package dev.tuneloop.trainer.engine;

/**
 * Tokens per second and the time left, from the steps of this run (a resumed run starts counting
 * afresh).
 */
final class StepClock {

  private final long totalSteps;
  private final long startNanos = System.nanoTime();
  private long stepsDone;
  private long steps;
  private long tokens;

  StepClock(long totalSteps, long stepsDone) {
    this.totalSteps = totalSteps;
    this.stepsDone = stepsDone;
  }

  void stepDone(int stepTokens) {
    steps++;
    stepsDone++;
    tokens += stepTokens;
  }

  double tokensPerSecond() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    return seconds > 0 ? tokens / seconds : 0;
  }

  long etaSeconds() {
    if (steps == 0) {
      return 0;
    }
    double secondsPerStep = (System.nanoTime() - startNanos) / 1e9 / steps;
    return Math.round(secondsPerStep * (totalSteps - stepsDone));
  }
}
