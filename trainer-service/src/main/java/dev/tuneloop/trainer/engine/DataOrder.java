package dev.tuneloop.trainer.engine;

import java.util.SplittableRandom;

/**
 * Seeded, platform-independent shuffles. Each one is a pure function of (seed, purpose, epoch), so
 * a resumed job recomputes exactly the order it was in from its checkpointed position, with no
 * random-generator state to save.
 */
public final class DataOrder {

  private DataOrder() {}

  /** A permutation of 0..n-1 (Fisher-Yates over a SplittableRandom seeded from the arguments). */
  public static int[] permutation(int n, long seed, long salt) {
    var random = new SplittableRandom(mix(seed, salt));
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }

  /** A 64-bit mix of two values (SplitMix64's finalizer), for deriving independent seeds. */
  public static long mix(long seed, long salt) {
    long z = seed * 0x9E3779B97F4A7C15L + salt;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
