package dev.tuneloop.bench;

/**
 * Streams a large array to estimate how fast this machine reads memory, the bound of
 * single-sequence decoding.
 */
final class MemoryBandwidth {
  private MemoryBandwidth() {}

  static double measureGbPerSecond() {
    float[] data = new float[128 << 20]; // 512 MiB, far beyond any cache
    for (int i = 0; i < data.length; i++) {
      data[i] = i & 7;
    }
    double best = 0;
    float sink = 0;
    for (int round = 0; round < 5; round++) {
      long start = System.nanoTime();
      sink += sum(data);
      double seconds = (System.nanoTime() - start) / 1e9;
      best = Math.max(best, 4.0 * data.length / seconds / 1e9);
    }
    if (sink == 42) {
      System.out.print("");
    }
    return best;
  }

  /** Eight independent accumulators so the loop is limited by loads, not by the add latency. */
  private static float sum(float[] a) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    for (int i = 0; i < a.length; i += 8) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
      s4 += a[i + 4];
      s5 += a[i + 5];
      s6 += a[i + 6];
      s7 += a[i + 7];
    }
    return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
  }
}
