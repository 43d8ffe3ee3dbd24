package dev.tuneloop.servicekit.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Restarts with capped exponential backoff, and the status health reports meanwhile. */
class SupervisedLoopTest {

  private static final SupervisedLoop.Backoff BACKOFF =
      new SupervisedLoop.Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5));

  /** A sleeper that records each delay and waits until the test lets it go. */
  private static final class HeldSleeper implements SupervisedLoop.Sleeper {
    final List<Duration> delays = new CopyOnWriteArrayList<>();
    final Semaphore release = new Semaphore(0);

    @Override
    public void sleep(Duration delay) throws InterruptedException {
      delays.add(delay);
      release.acquire();
    }
  }

  @Test
  void backoffDoublesPerFailureInARowUpToTheCap() {
    assertThat(List.of(1, 2, 3, 4, 5, 40).stream().map(BACKOFF::after).toList())
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5));
  }

  @Test
  void aBodyThatDiesWithAnErrorIsRestartedAndIsDownByNameUntilItRunsAgain() {
    var sleeper = new HeldSleeper();
    var runs = new AtomicInteger();
    var iterations = new LinkedBlockingQueue<Integer>();
    SupervisedLoop.Body body =
        loop -> {
          int run = runs.incrementAndGet();
          if (run == 1) {
            throw new OutOfMemoryError("Java heap space");
          }
          if (run == 2) {
            throw new IllegalStateException("topic is gone");
          }
          while (!loop.stopping()) {
            loop.alive();
            iterations.add(run);
            Thread.sleep(10);
          }
        };
    try (var loop = new SupervisedLoop("test-loop", body, BACKOFF, () -> {}, sleeper).start()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> sleeper.delays.size() == 1);
      assertThat(loop.status())
          .isEqualTo(
              new SupervisedLoop.Status(
                  "test-loop", false, 1, "java.lang.OutOfMemoryError: Java heap space"));
      sleeper.release.release();
      await().atMost(Duration.ofSeconds(10)).until(() -> sleeper.delays.size() == 2);
      assertThat(loop.status().up()).isFalse();
      assertThat(loop.status().lastError()).contains("topic is gone");
      assertThat(sleeper.delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
      sleeper.release.release();
      await().atMost(Duration.ofSeconds(10)).until(() -> !iterations.isEmpty());
      assertThat(loop.status().up()).isTrue();
      assertThat(loop.status().restarts()).isEqualTo(2);

      // a failure after a good run starts the backoff over
      loop.injectFault(new IllegalStateException("injected"));
      await().atMost(Duration.ofSeconds(10)).until(() -> sleeper.delays.size() == 3);
      assertThat(sleeper.delays.get(2)).isEqualTo(Duration.ofSeconds(1));
      assertThat(loop.status().lastError()).contains("injected");
      sleeper.release.release();
      await().atMost(Duration.ofSeconds(10)).until(() -> loop.status().up());
    }
    assertThat(runs.get()).isEqualTo(4);
  }

  @Test
  void aBodyThatReturnsWithoutBeingStoppedCountsAsAFailure() {
    var sleeper = new HeldSleeper();
    try (var loop =
        new SupervisedLoop("quitter", loop2 -> {}, BACKOFF, () -> {}, sleeper).start()) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !sleeper.delays.isEmpty());
      assertThat(loop.status().up()).isFalse();
      assertThat(loop.status().lastError()).contains("returned without being asked to stop");
    }
  }
}
