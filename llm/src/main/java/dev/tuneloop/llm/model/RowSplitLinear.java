package dev.tuneloop.llm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Decoding's large projections on two cores. PyTorch runs a single-row {@code linear} on one thread
 * whatever its thread count, so a bandwidth-bound decoder reads its weights at one core's speed.
 * Here each large weight's rows are cut in two (contiguous views, made once); a worker thread
 * computes the top half's outputs while the caller computes the bottom half's, and the two are
 * concatenated. Every output element is still the same dot product over the same row, so the result
 * is bit-identical to the unsplit {@code linear}.
 */
final class RowSplitLinear implements AutoCloseable {
  /**
   * Weights of at least this many bytes are split unless {@code -Dtuneloop.decode.splitMinBytes=N}
   * says otherwise.
   */
  static final long DEFAULT_MIN_BYTES =
      1L << 20; // 40M model: 63 tok/s split from 1 MiB, 59 from 4 MiB, 46 unsplit

  static final String MIN_BYTES_PROPERTY = "tuneloop.decode.splitMinBytes";
  private static final int ROW_ALIGN =
      64; // cut on a multiple of BLAS's row blocks, so both halves take its fast path

  private record Halves(NDArray top, NDArray bottom, NDArray topBias, NDArray bottomBias) {}

  private final Map<NDArray, Halves> halves = new IdentityHashMap<>();
  private final ExecutorService worker;

  private RowSplitLinear(LlamaWeights weights, long minBytes) {
    for (int i = 0; i < weights.config().layers(); i++) {
      LlamaWeights.Layer l = weights.layer(i);
      prepare(l.wqkv(), l.bqkv(), minBytes);
      prepare(l.wo(), null, minBytes);
      prepare(l.w13(), null, minBytes);
      prepare(l.w2(), null, minBytes);
    }
    prepare(weights.classifier(), null, minBytes);
    worker =
        halves.isEmpty()
            ? null
            : Executors.newSingleThreadExecutor(
                task -> {
                  Thread thread =
                      new Thread(
                          () -> {
                            JniUtils.setGradMode(
                                false); // PyTorch's grad mode is per thread; decoding never
                            // differentiates
                            task.run();
                          },
                          "decode-row-split");
                  thread.setDaemon(true);
                  return thread;
                });
  }

  /**
   * Splits the weights of at least {@code minBytes} (0 or less: none), or none at all when PyTorch
   * already has several intra-op threads or the machine has one CPU. Views are owned by the
   * weights' manager.
   */
  static RowSplitLinear of(LlamaWeights weights, long minBytes) {
    boolean twoCores =
        Runtime.getRuntime().availableProcessors() > 1 && JniUtils.getNumThreads() == 1;
    return new RowSplitLinear(weights, twoCores && minBytes > 0 ? minBytes : Long.MAX_VALUE);
  }

  static long configuredMinBytes() {
    return Long.getLong(MIN_BYTES_PROPERTY, DEFAULT_MIN_BYTES);
  }

  /** Whether any weight was split. */
  boolean active() {
    return worker != null;
  }

  /**
   * {@code linear(x, weight, bias)} for one new position, split across two threads when the weight
   * is large.
   */
  NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    Halves h = halves.get(weight);
    if (h == null) {
      return LlamaModel.linear(x, weight, bias);
    }
    Future<NDArray> top = worker.submit(() -> LlamaModel.linear(x, h.top(), h.topBias()));
    NDArray bottom = LlamaModel.linear(x, h.bottom(), h.bottomBias());
    try (NDArray topOut =
        top.get()) { // made on the worker, outside the caller's NDScope: freed here
      return NDArrays.concat(new NDList(topOut, bottom), -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while decoding", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("decoding the top rows of a projection failed", e.getCause());
    }
  }

  private void prepare(NDArray weight, NDArray bias, long minBytes) {
    long rows = weight.getShape().get(0);
    long cut = rows / 2 / ROW_ALIGN * ROW_ALIGN;
    if (4 * weight.size() < minBytes || cut == 0 || halves.containsKey(weight)) {
      return;
    }
    halves.put(
        weight,
        new Halves(
            rows(weight, 0, cut),
            rows(weight, cut, rows),
            bias == null ? null : rows(bias, 0, cut),
            bias == null ? null : rows(bias, cut, rows)));
  }

  private static NDArray rows(NDArray a, long from, long to) {
    return NDArrays2.slice(a, new NDIndex("{}:{}", from, to));
  }

  @Override
  public void close() {
    if (worker != null) {
      worker.shutdownNow();
    }
  }
}
