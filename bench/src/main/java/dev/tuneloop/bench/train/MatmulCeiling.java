package dev.tuneloop.bench.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tuneloop.llm.model.Djl;

/**
 * The machine's dense fp32 matrix-multiply rate through DJL: the ceiling any training step can
 * approach.
 */
final class MatmulCeiling {

  private MatmulCeiling() {}

  /** GFLOP/s of an n×n by n×n product (2n³ FLOPs), best of a few timed rounds after warmup. */
  static double gflops(int n) {
    try (NDManager manager = Djl.newManager()) {
      NDArray a = manager.randomUniform(-1, 1, new Shape(n, n));
      NDArray b = manager.randomUniform(-1, 1, new Shape(n, n));
      for (int i = 0; i < 3; i++) {
        a.matMul(b).close();
      }
      double best = 0;
      for (int round = 0; round < 5; round++) {
        int reps = 5;
        long start = System.nanoTime();
        for (int i = 0; i < reps; i++) {
          try (NDArray c = a.matMul(b)) {
            c.getFloat(0, 0); // wait for the result
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        best = Math.max(best, 2.0 * n * n * n * reps / seconds / 1e9);
      }
      return best;
    }
  }
}
