package dev.tuneloop.inference.serving;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * First in, first out, at most {@code concurrency} generations at once and at most {@code queueCapacity} waiting.
 * Each running generation owns its own decode session; concurrent generations share the base weights and resident
 * adapters. (The LLM core's decode session is fixed-batch, so sequences cannot join a running batch; continuous
 * batching would need that.) A full queue is refused at once rather than growing without bound.
 */
public final class GenerationScheduler implements AutoCloseable {
    private final ThreadPoolExecutor executor;

    public GenerationScheduler(int concurrency, int queueCapacity, MeterRegistry meters) {
        if (concurrency < 1 || queueCapacity < 0) {
            throw new IllegalArgumentException("scheduler needs concurrency >= 1 and queue capacity >= 0, got "
                    + concurrency + " and " + queueCapacity);
        }
        this.executor = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
                queueCapacity == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(queueCapacity),
                Thread.ofPlatform().name("generate-", 0).daemon().factory());
        Gauge.builder("tuneloop.inference.queue.depth", this, GenerationScheduler::queueDepth)
                .description("generations waiting for a slot").register(meters);
        Gauge.builder("tuneloop.inference.active", executor, ThreadPoolExecutor::getActiveCount)
                .description("generations running").register(meters);
    }

    /**
     * Queues the work.
     *
     * @throws QueueFullException when {@code queueCapacity} generations already wait
     */
    public <T> CompletableFuture<T> submit(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            throw new QueueFullException("inference queue is full (" + executor.getQueue().size()
                    + " waiting, " + executor.getMaximumPoolSize() + " running); retry later");
        }
    }

    public int queueDepth() {
        return executor.getQueue().size();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** Too many requests waiting. */
    public static final class QueueFullException extends RuntimeException {
        public QueueFullException(String message) {
            super(message);
        }
    }
}
