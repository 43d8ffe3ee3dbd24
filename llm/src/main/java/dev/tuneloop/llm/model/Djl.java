package dev.tuneloop.llm.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The one place that starts DJL's PyTorch engine: offline (the native library ships in the jar),
 * CPU, and one intra-op thread unless {@code -Dai.djl.pytorch.num_threads=N} says otherwise. On a
 * shared 2-core machine OpenMP's spin-waiting workers made decoding 10-50x slower with two threads
 * (DecodeBenchmark: 40M model 1.4 vs 11 tok/s, stories260K 7 vs 163 tok/s, load average ~12); give
 * more threads only to a process that has the cores to itself.
 */
public final class Djl {
  private static final String THREADS = "ai.djl.pytorch.num_threads";
  private static final String INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

  private Djl() {}

  /** The PyTorch engine, started on first use. */
  public static synchronized Engine engine() {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent(THREADS, "1");
    setIfAbsent(INTEROP_THREADS, "1");
    return Engine.getEngine("PyTorch");
  }

  /** A new root manager on the PyTorch engine; the caller closes it. */
  public static NDManager newManager() {
    return engine().newBaseManager();
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
