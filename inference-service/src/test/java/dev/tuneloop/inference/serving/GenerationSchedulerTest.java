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
import org.junit.jupiter.api.Test;

class GenerationSchedulerTest {

    @Test
    void runsInArrivalOrderWithBoundedConcurrencyAndReportsQueueDepth() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (GenerationScheduler scheduler = new GenerationScheduler(1, 8, meters)) {
            CountDownLatch gate = new CountDownLatch(1);
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Integer> blocker = scheduler.submit(() -> {
                pass(gate);
                return -1;
            });
            List<CompletableFuture<Integer>> queued = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int n = i;
                queued.add(scheduler.submit(() -> {
                    order.add(n);
                    return n;
                }));
            }
            assertThat(scheduler.queueDepth()).isEqualTo(3);
            assertThat(meters.get("tuneloop.inference.queue.depth").gauge().value()).isEqualTo(3.0);

            gate.countDown();
            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get();
            assertThat(blocker.get()).isEqualTo(-1);
            assertThat(order).containsExactly(0, 1, 2);
            await().until(() -> scheduler.queueDepth() == 0);
        }
    }

    @Test
    void aFullQueueIsRefusedAtOnce() {
        try (GenerationScheduler scheduler = new GenerationScheduler(1, 1, new SimpleMeterRegistry())) {
            CountDownLatch gate = new CountDownLatch(1);
            scheduler.submit(() -> pass(gate));
            await().until(() -> scheduler.queueDepth() == 0); // the first one is running
            scheduler.submit(() -> 1);

            assertThatThrownBy(() -> scheduler.submit(() -> 2))
                    .isInstanceOf(GenerationScheduler.QueueFullException.class)
                    .hasMessageContaining("queue is full");
            gate.countDown();
        }
    }

    private static boolean pass(CountDownLatch latch) {
        try {
            latch.await();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
