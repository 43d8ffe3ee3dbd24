package dev.tuneloop.llm.model;

/**
 * Rotary positions and additive attention biases, built on the Java side (one small array per
 * call).
 */
final class Masks {
  private static final float MASKED =
      -1e30f; // finite, so a fully masked (padding) row stays NaN-free

  private Masks() {}

  /**
   * Rotary positions of T new tokens per sequence: real tokens count 0, 1, 2, ... from the first
   * real token.
   *
   * @param mask (B, S) flattened, nonzero = real token, covering all S = offset + T positions; or
   *     null
   * @param offset positions already in the cache
   */
  static long[] positions(int[] mask, int b, int t, int offset) {
    long[] positions = new long[b * t];
    for (int i = 0; i < b; i++) {
      int s = offset + t;
      long real = 0;
      for (int j = 0; j < s; j++) {
        boolean isReal = mask == null || mask[i * s + j] != 0;
        if (j >= offset) {
          positions[i * t + j - offset] = Math.max(0, isReal ? real : real - 1);
        }
        if (isReal) {
          real++;
        }
      }
    }
    return positions;
  }

  /**
   * Additive bias (B, 1, 1, T, S): 0 where query i (absolute offset + i) may see key j, else a
   * large negative. A key is visible when j &lt;= offset + i, it is a real token, and (with a
   * window) offset + i - j &lt; window.
   */
  static float[] attentionBias(int[] mask, int b, int t, int offset, int s, int window) {
    float[] bias = new float[b * t * s];
    for (int n = 0; n < b; n++) {
      for (int i = 0; i < t; i++) {
        int query = offset + i;
        for (int j = 0; j < s; j++) {
          boolean visible =
              j <= query
                  && (window == 0 || query - j < window)
                  && (mask == null || mask[n * s + j] != 0);
          bias[(n * t + i) * s + j] = visible ? 0f : MASKED;
        }
      }
    }
    return bias;
  }
}
