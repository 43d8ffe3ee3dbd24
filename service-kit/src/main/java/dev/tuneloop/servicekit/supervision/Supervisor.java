package dev.tuneloop.servicekit.supervision;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Creates a service's {@link SupervisedLoop}s with one backoff policy and knows them all, so {@code
 * /health} can report each by name ({@link LoopsHealthIndicator}).
 */
public final class Supervisor {

  /** 1 s, doubling, at most 30 s: the defaults of {@code tuneloop.supervision.*}. */
  public static final SupervisedLoop.Backoff DEFAULT_BACKOFF =
      new SupervisedLoop.Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  private final SupervisedLoop.Backoff backoff;
  private final List<SupervisedLoop> loops = new CopyOnWriteArrayList<>();

  public Supervisor(SupervisedLoop.Backoff backoff) {
    this.backoff = backoff;
  }

  /** A supervisor of its own with the default backoff, for code running outside Micronaut. */
  public static Supervisor standalone() {
    return new Supervisor(DEFAULT_BACKOFF);
  }

  /** A new loop (not started yet) named {@code name}, e.g. "curation-worker". */
  public SupervisedLoop loop(String name, SupervisedLoop.Body body, Runnable wakeup) {
    var loop = new SupervisedLoop(name, body, backoff, wakeup, Supervisor::sleep);
    loops.add(loop);
    return loop;
  }

  public List<SupervisedLoop> loops() {
    return List.copyOf(loops);
  }

  public Optional<SupervisedLoop> find(String name) {
    return loops.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  private static void sleep(Duration delay) throws InterruptedException {
    Thread.sleep(delay);
  }
}
