package dev.tuneloop.trainer.engine;

/**
 * Hears a job's progress; the service turns these into training.events. Called on the training
 * thread.
 */
public interface TrainingListener {

  void onStep(Progress progress);

  default void onEvaluation(long step, double evalLoss, boolean best) {}

  default void onCheckpoint(long step) {}

  TrainingListener NONE = progress -> {};
}
