package dev.tuneloop.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class GenerationSchedulerTest {
  private final CountDownLatch gate = new CountDownLatch(1);
  private final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());

  /** Records each batch; item -1 blocks until the gate opens. Outcomes are the items times ten. */
  private void run(List<GenerationScheduler.Pending<Integer, Integer>> batch) {
    batches.add(batch.stream().map(GenerationScheduler.Pending::item).toList());
    for (var pending : batch) {
      if (pending.item() == -1) {
        pass(gate);
      }
      pending.complete(pending.item() * 10);
    }
  }

  @Test
  void whatWaitsWhileABatchRunsIsTakenInArrivalOrderAsTheNextBatchUpToTheMaximum()
      throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (var scheduler = new GenerationScheduler<Integer, Integer>(1, 3, 8, this::run, meters)) {
      CompletableFuture<Integer> blocker = scheduler.submit(-1);
      await()
          .until(() -> scheduler.queueDepth() == 0 && !batches.isEmpty()); // the blocker runs alone
      List<CompletableFuture<Integer>> queued = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        queued.add(scheduler.submit(i));
      }
      assertThat(scheduler.queueDepth()).isEqualTo(4);
      assertThat(meters.get("tuneloop.inference.queue.depth").gauge().value()).isEqualTo(4.0);
      assertThat(meters.get("tuneloop.inference.active").gauge().value()).isEqualTo(1.0);

      gate.countDown();
      CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get();
      assertThat(blocker.get()).isEqualTo(-10);
      assertThat(queued.stream().map(CompletableFuture::join)).containsExactly(0, 10, 20, 30);
      assertThat(batches).containsExactly(List.of(-1), List.of(0, 1, 2), List.of(3));
      assertThat(meters.get("tuneloop.inference.batch.size").summary().max()).isEqualTo(3.0);
      await().until(() -> scheduler.queueDepth() == 0);
    }
  }

  @Test
  void aRequestCancelledWhileQueuedNeverReachesTheRunnerAndLeavesItsPlaceToTheNext()
      throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    List<Integer> settled = Collections.synchronizedList(new ArrayList<>());
    try (var scheduler =
        new GenerationScheduler<Integer, Integer>(
            1,
            2,
            8,
            this::run,
            p -> {
              settled.add(p.item());
              p.complete(-99);
            },
            meters)) {
      scheduler.submit(-1);
      await().until(() -> scheduler.queueDepth() == 0 && !batches.isEmpty()); // the blocker runs
      AtomicBoolean clientGone = new AtomicBoolean();
      CompletableFuture<Integer> cancelled = scheduler.submit(1, clientGone::get);
      CompletableFuture<Integer> second = scheduler.submit(2);
      CompletableFuture<Integer> third = scheduler.submit(3);
      clientGone.set(true);

      gate.countDown();

      assertThat(cancelled.get()).isEqualTo(-99);
      assertThat(second.get()).isEqualTo(20);
      assertThat(third.get()).isEqualTo(30);
      // the runner (the generator) started twice and never saw item 1; 2 and 3 share a batch
      assertThat(batches).containsExactly(List.of(-1), List.of(2, 3));
      assertThat(settled).containsExactly(1);
      assertThat(
              meters.get("tuneloop.inference.cancelled").tag("stage", "queued").counter().count())
          .isEqualTo(1.0);
    }
  }

  @Test
  void aFullQueueIsRefusedAtOnce() {
    try (var scheduler =
        new GenerationScheduler<Integer, Integer>(1, 8, 1, this::run, new SimpleMeterRegistry())) {
      scheduler.submit(-1);
      await()
          .until(
              () -> scheduler.queueDepth() == 0 && !batches.isEmpty()); // the first one is running
      scheduler.submit(1);

      assertThatThrownBy(() -> scheduler.submit(2))
          .isInstanceOf(GenerationScheduler.QueueFullException.class)
          .hasMessageContaining("queue is full");
      gate.countDown();
    }
  }

  @Test
  void aFullQueueMakesRoomByDroppingWhatItsClientsCancelled() throws Exception {
    List<Integer> settled = Collections.synchronizedList(new ArrayList<>());
    try (var scheduler =
        new GenerationScheduler<Integer, Integer>(
            1,
            8,
            1,
            this::run,
            p -> {
              settled.add(p.item());
              p.complete(-99);
            },
            new SimpleMeterRegistry())) {
      scheduler.submit(-1);
      await().until(() -> scheduler.queueDepth() == 0 && !batches.isEmpty()); // the blocker runs
      AtomicBoolean clientGone = new AtomicBoolean();
      CompletableFuture<Integer> abandoned = scheduler.submit(1, clientGone::get);
      assertThatThrownBy(() -> scheduler.submit(2)) // its client still waits: really full
          .isInstanceOf(GenerationScheduler.QueueFullException.class);

      clientGone.set(true);
      CompletableFuture<Integer> live = scheduler.submit(3);

      assertThat(abandoned.get()).isEqualTo(-99);
      assertThat(settled).containsExactly(1);
      gate.countDown();
      assertThat(live.get()).isEqualTo(30);
      assertThat(batches).containsExactly(List.of(-1), List.of(3));
    }
  }

  @Test
  void itemsTheRunnerLeavesOpenOrFailsOnFailWithTheReason() {
    try (var scheduler =
        new GenerationScheduler<Integer, Integer>(
            1,
            8,
            4,
            batch -> {
              if (batch.getFirst().item() == 1) {
                throw new IllegalStateException("engine broke");
              }
            },
            new SimpleMeterRegistry())) {
      assertThatThrownBy(() -> scheduler.submit(1).join()).hasMessageContaining("engine broke");
      assertThatThrownBy(() -> scheduler.submit(2).join()).hasMessageContaining("without a result");
    }
  }

  private static void pass(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
