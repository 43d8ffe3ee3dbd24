package dev.tuneloop.trainer.engine;

/**
 * Asks a running job to stop at its next step: cancelled by a user, or interrupted by a shutdown.
 */
public final class StopSignal {

  public enum Reason {
    NONE,
    CANCEL,
    SHUTDOWN
  }

  private volatile Reason reason = Reason.NONE;

  /** Stop for good; the job ends CANCELLED. */
  public void cancel() {
    reason = Reason.CANCEL;
  }

  /** Stop for now; the job checkpoints and is resumed later (by this worker or another). */
  public void shutdown() {
    if (reason == Reason.NONE) {
      reason = Reason.SHUTDOWN;
    }
  }

  public Reason reason() {
    return reason;
  }
}
