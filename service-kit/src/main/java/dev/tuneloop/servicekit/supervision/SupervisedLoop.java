package dev.tuneloop.servicekit.supervision;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background loop that is restarted when it dies. The body runs on a thread of its own; when it
 * throws anything (an {@code Error} such as {@code OutOfMemoryError} included) or returns while not
 * asked to stop, the loop is DOWN, waits a backoff that doubles with each failure in a row (up to a
 * cap), and runs the body again. It is UP again once the new run calls {@link #alive()}.
 *
 * <p>A body opens what it needs (consumers, producers) itself, so every run starts clean, checks
 * {@link #stopping()} in its loop and calls {@link #alive()} once per iteration.
 */
public final class SupervisedLoop implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SupervisedLoop.class);

  /** One run of the loop; returns (or throws a wakeup) only when {@link #stopping()} is true. */
  @FunctionalInterface
  public interface Body {
    void run(SupervisedLoop loop) throws Exception;
  }

  /**
   * How long to wait before a restart: {@code initial × 2^(failures in a row − 1)}, at most max.
   */
  public record Backoff(Duration initial, Duration max) {
    public Backoff {
      if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "supervision backoff must be positive with max >= initial, got initial "
                + initial
                + ", max "
                + max
                + " (tuneloop.supervision.initial-backoff, max-backoff)");
      }
    }

    public Duration after(int failuresInARow) {
      long factor = 1L << Math.min(Math.max(failuresInARow - 1, 0), 30);
      long millis = initial.toMillis() * factor;
      return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }
  }

  /** What {@code /health} shows of a loop. */
  public record Status(String name, boolean up, int restarts, String lastError) {}

  /** Waits between runs; tests pass one that records the delays instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration delay) throws InterruptedException;
  }

  private final String name;
  private final Body body;
  private final Backoff backoff;
  private final Runnable wakeup;
  private final Sleeper sleeper;
  private final Thread thread;
  private final AtomicInteger restarts = new AtomicInteger();
  private volatile boolean stopping;
  private volatile boolean up = true; // a loop that has not failed counts as up while it starts
  private volatile boolean ranSinceFailure;
  private volatile String lastError = "";
  private volatile Throwable fault;
  private volatile boolean backingOff;

  /**
   * @param wakeup interrupts a blocked body when the loop is closed (e.g. {@code
   *     consumer.wakeup()}); may be a no-op
   */
  public SupervisedLoop(String name, Body body, Backoff backoff, Runnable wakeup, Sleeper sleeper) {
    this.name = name;
    this.body = body;
    this.backoff = backoff;
    this.wakeup = wakeup;
    this.sleeper = sleeper;
    this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::supervise);
  }

  public SupervisedLoop start() {
    thread.start();
    return this;
  }

  public String name() {
    return name;
  }

  /** True once {@link #close()} was called: the body should return. */
  public boolean stopping() {
    return stopping;
  }

  /** Called by the body once per iteration: marks the loop UP (again). */
  public void alive() {
    Throwable injected = fault;
    if (injected != null) {
      fault = null;
      sneakyThrow(injected);
    }
    ranSinceFailure = true;
    if (!up) {
      up = true;
      log.info("{} is running again after {} restart(s)", name, restarts.get());
    }
  }

  /**
   * Fault injection for tests and drills: the body's next {@link #alive()} throws {@code t}, as if
   * the loop's own code had.
   */
  public void injectFault(Throwable t) {
    fault = t;
  }

  public Status status() {
    return new Status(name, up, restarts.get(), lastError);
  }

  private void supervise() {
    int failuresInARow = 0;
    while (!stopping) {
      Throwable failure;
      try {
        body.run(this);
        if (stopping) {
          break;
        }
        failure = new IllegalStateException("the loop returned without being asked to stop");
      } catch (Throwable t) { // an Error too: one bad pass must not end the service's loop for good
        if (stopping) {
          break;
        }
        failure = t;
      }
      failuresInARow = ranSinceFailure ? 1 : failuresInARow + 1;
      ranSinceFailure = false;
      up = false;
      lastError = String.valueOf(failure);
      int restart = restarts.incrementAndGet();
      Duration delay = backoff.after(failuresInARow);
      log.error(
          "{} failed ({} in a row); restart {} in {} ms",
          name,
          failuresInARow,
          restart,
          delay.toMillis(),
          failure);
      try {
        backingOff = true;
        if (!stopping) {
          sleeper.sleep(delay);
        }
      } catch (InterruptedException e) {
        break; // closed while waiting
      } finally {
        backingOff = false;
      }
    }
  }

  /** Asks the body to stop at its next check, without waking it (see {@link #close()}). */
  public void stop() {
    stopping = true;
  }

  /** Asks the body to stop, wakes it, and waits up to 30 s for it to return. */
  @Override
  public void close() {
    stopping = true;
    try {
      wakeup.run();
    } catch (RuntimeException e) {
      log.debug("waking {}: {}", name, e.toString());
    }
    if (thread.getState() == Thread.State.NEW) {
      return;
    }
    if (backingOff) {
      thread.interrupt(); // never a running body: it stops through stopping() and wakeup
    }
    try {
      thread.join(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }
}
