package dev.tuneloop.ingest;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the records handed to Kafka but not yet acknowledged, so a burst of clients cannot grow
 * memory without limit: a caller waits a little for a slot, then gets {@link
 * BackpressureException}.
 */
public final class InFlightLimiter {

  private final Semaphore slots;
  private final int max;
  private final Duration wait;

  public InFlightLimiter(int max, Duration wait) {
    this.slots = new Semaphore(max);
    this.max = max;
    this.wait = wait;
  }

  public void acquire() {
    try {
      if (!slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new BackpressureException(
            "ingest has "
                + max
                + " records in flight to Kafka (ingest.max-in-flight); retry later");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackpressureException("interrupted while waiting for an in-flight slot");
    }
  }

  public void release() {
    slots.release();
  }

  public int inFlight() {
    return max - slots.availablePermits();
  }
}
