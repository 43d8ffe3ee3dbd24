package dev.tuneloop.inference.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups waiting generations into batches: each of {@code concurrency} workers takes the oldest
 * waiting item and everything queued behind it up to {@code maxBatchSize}, and hands them to the
 * runner together (a small model decodes a batch in about the time of one sequence). No gathering
 * window: an idle worker starts a lone request at once, and requests that arrive while a batch runs
 * wait for the next one. First in, first out; at most {@code queueCapacity} waiting, beyond that a
 * request is refused at once rather than the queue growing without bound. An item cancelled while
 * it waits is left out of its batch (the runner never sees it, and the batch is filled from behind
 * it instead) and handed to {@code whenCancelled}.
 *
 * @param <I> what one generation needs
 * @param <O> its outcome
 */
public final class GenerationScheduler<I, O> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GenerationScheduler.class);

  private final BlockingQueue<Pending<I, O>> queue;
  private final BatchRunner<I, O> runner;
  private final int maxBatchSize;
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicInteger active = new AtomicInteger();
  private final DistributionSummary batchSizes;
  private final Counter cancelledWhileQueued;
  private final Consumer<Pending<I, O>> whenCancelled;
  private volatile boolean closed;

  /**
   * Runs one batch; completes (or fails) each item. Items it leaves open are failed after it
   * returns.
   */
  @FunctionalInterface
  public interface BatchRunner<I, O> {
    void run(List<Pending<I, O>> batch);
  }

  /** Items cancelled while queued fail with a {@link CancellationException}. */
  public GenerationScheduler(
      int concurrency,
      int maxBatchSize,
      int queueCapacity,
      BatchRunner<I, O> runner,
      MeterRegistry meters) {
    this(
        concurrency,
        maxBatchSize,
        queueCapacity,
        runner,
        p -> p.fail(new CancellationException("cancelled while queued")),
        meters);
  }

  /**
   * @param whenCancelled completes (or fails) an item cancelled while it waited, instead of running
   *     it
   */
  public GenerationScheduler(
      int concurrency,
      int maxBatchSize,
      int queueCapacity,
      BatchRunner<I, O> runner,
      Consumer<Pending<I, O>> whenCancelled,
      MeterRegistry meters) {
    if (concurrency < 1 || maxBatchSize < 1 || queueCapacity < 0) {
      throw new IllegalArgumentException(
          "scheduler needs concurrency >= 1, max batch size >= 1 and queue "
              + "capacity >= 0, got "
              + concurrency
              + ", "
              + maxBatchSize
              + " and "
              + queueCapacity);
    }
    this.queue =
        queueCapacity == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queueCapacity);
    this.runner = runner;
    this.whenCancelled = whenCancelled;
    this.maxBatchSize = maxBatchSize;
    Gauge.builder("tuneloop.inference.queue.depth", this, GenerationScheduler::queueDepth)
        .description("generations waiting for a batch")
        .register(meters);
    Gauge.builder("tuneloop.inference.active", active, AtomicInteger::get)
        .description("generations running (in all batches)")
        .register(meters);
    this.batchSizes =
        DistributionSummary.builder("tuneloop.inference.batch.size")
            .description("generations decoded together in one batch")
            .register(meters);
    this.cancelledWhileQueued =
        Counter.builder("tuneloop.inference.cancelled")
            .tag("stage", "queued")
            .description("generations cancelled (client gone, deadline) before or while decoding")
            .register(meters);
    for (int i = 0; i < concurrency; i++) {
      workers.add(Thread.ofPlatform().name("generate-" + i).daemon().start(this::work));
    }
  }

  /**
   * Queues the item; the future completes with its outcome or fails with the reason.
   *
   * @throws QueueFullException when {@code queueCapacity} generations already wait
   */
  public CompletableFuture<O> submit(I item) {
    return submit(item, () -> false);
  }

  /**
   * Queues the item; if {@code cancelled} is true by the time a worker takes it, it never runs.
   *
   * @throws QueueFullException when {@code queueCapacity} generations already wait
   */
  public CompletableFuture<O> submit(I item, BooleanSupplier cancelled) {
    if (closed) {
      throw new IllegalStateException("the generation scheduler is closed");
    }
    Pending<I, O> pending = new Pending<>(item, cancelled);
    if (!queue.offer(pending) && !(dropCancelled() && queue.offer(pending))) {
      throw new QueueFullException(
          "inference queue is full ("
              + queue.size()
              + " waiting, "
              + active.get()
              + " running); retry later");
    }
    return pending.future;
  }

  public int queueDepth() {
    return queue.size();
  }

  private void work() {
    while (!closed) {
      List<Pending<I, O>> batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        return;
      }
      run(batch);
    }
  }

  /**
   * The oldest waiting item and those behind it, up to the maximum, leaving out (and settling)
   * every item cancelled while it waited.
   */
  private List<Pending<I, O>> nextBatch() throws InterruptedException {
    List<Pending<I, O>> batch = new ArrayList<>(maxBatchSize);
    while (batch.isEmpty()) {
      keepUnlessCancelled(queue.take(), batch);
    }
    Pending<I, O> next;
    while (batch.size() < maxBatchSize && (next = queue.poll()) != null) {
      keepUnlessCancelled(next, batch);
    }
    return batch;
  }

  /**
   * A full queue first lets go of what its clients gave up on, so dead requests never turn live
   * ones away.
   *
   * @return whether any place was freed
   */
  private boolean dropCancelled() {
    List<Pending<I, O>> dropped = new ArrayList<>();
    queue.removeIf(
        p -> {
          if (p.cancelled.getAsBoolean()) {
            dropped.add(p);
            return true;
          }
          return false;
        });
    dropped.forEach(this::settleCancelled);
    return !dropped.isEmpty();
  }

  private void keepUnlessCancelled(Pending<I, O> pending, List<Pending<I, O>> batch) {
    if (pending.cancelled.getAsBoolean()) {
      settleCancelled(pending);
    } else {
      batch.add(pending);
    }
  }

  private void settleCancelled(Pending<I, O> pending) {
    cancelledWhileQueued.increment();
    try {
      whenCancelled.accept(pending);
    } catch (RuntimeException e) {
      LOG.warn("settling a cancelled generation failed", e);
    } finally {
      pending.fail(new CancellationException("cancelled while queued"));
    }
  }

  private void run(List<Pending<I, O>> batch) {
    active.addAndGet(batch.size());
    batchSizes.record(batch.size());
    try {
      runner.run(batch);
    } catch (RuntimeException | Error e) {
      LOG.error("a generation batch of {} failed", batch.size(), e);
      batch.forEach(p -> p.fail(e));
    } finally {
      active.addAndGet(-batch.size());
      batch.forEach(
          p -> p.fail(new IllegalStateException("the generation ended without a result")));
    }
  }

  /**
   * Stops the workers (a running batch sees its thread interrupted and cancels) and fails what
   * waits.
   */
  @Override
  public void close() {
    closed = true;
    workers.forEach(Thread::interrupt);
    List<Pending<I, O>> waiting = new ArrayList<>();
    queue.drainTo(waiting);
    waiting.forEach(
        p -> p.fail(new IllegalStateException("the inference service is shutting down")));
  }

  /** One queued item and the future of its outcome. */
  public static final class Pending<I, O> {
    private final I item;
    private final BooleanSupplier cancelled;
    private final CompletableFuture<O> future = new CompletableFuture<>();

    private Pending(I item, BooleanSupplier cancelled) {
      this.item = item;
      this.cancelled = cancelled;
    }

    public I item() {
      return item;
    }

    public void complete(O outcome) {
      future.complete(outcome);
    }

    /** Fails it unless it already has an outcome. */
    public void fail(Throwable reason) {
      future.completeExceptionally(reason);
    }
  }

  /** Too many requests waiting. */
  public static final class QueueFullException extends RuntimeException {
    public QueueFullException(String message) {
      super(message);
    }
  }
}
