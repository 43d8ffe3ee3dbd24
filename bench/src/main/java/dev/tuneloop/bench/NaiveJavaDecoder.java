package dev.tuneloop.bench;

import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.StateDict;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference: the matrix-vector products of one decode step (every projection and the
 * classifier), as naive single-threaded Java loops over the same float32 weights. Attention over
 * the cache is omitted, so this is a lower bound on what a plain-Java decoder costs per token.
 */
final class NaiveJavaDecoder {
  private final List<FloatTensor> matrices = new ArrayList<>();
  private final int maxCols;

  NaiveJavaDecoder(LlamaConfig config, StateDict weights) {
    int cols = 0;
    for (var e : weights.tensors().entrySet()) {
      if (e.getValue().shape().length == 2) {
        matrices.add(e.getValue());
        cols = Math.max(cols, (int) e.getValue().shape()[1]);
      }
    }
    if (config.tiedEmbeddings()) {
      matrices.add(weights.tensors().get(StateDict.Names.EMBED)); // the classifier reads it again
    }
    this.maxCols = cols;
  }

  /** Best of {@code rounds} timings of one pass of y = W x over every matrix. */
  double secondsPerWeightPass(int rounds) {
    float[] x = new float[maxCols];
    java.util.Arrays.fill(x, 0.01f);
    double best = Double.MAX_VALUE;
    float sink = 0;
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      for (FloatTensor m : matrices) {
        sink += matVec(m, x);
      }
      best = Math.min(best, (System.nanoTime() - start) / 1e9);
    }
    if (sink == 42) {
      System.out.print("");
    }
    return best;
  }

  private static float matVec(FloatTensor m, float[] x) {
    int rows = (int) m.shape()[0];
    int cols = (int) m.shape()[1];
    float[] w = m.data();
    float last = 0;
    for (int r = 0; r < rows; r++) {
      float acc = 0;
      int base = r * cols;
      for (int c = 0; c < cols; c++) {
        acc += w[base + c] * x[c];
      }
      last += acc;
    }
    return last;
  }
}
