package dev.tuneloop.llm.model;

/** Small numeric helpers for tests. */
public final class Arrays2 {
  private Arrays2() {}

  public static float maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }

  /**
   * The largest |a - b| / max(1, |b|): absolute below magnitude 1, relative above, like allClose
   * with rtol = atol.
   */
  public static float maxRelDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
    }
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]) / Math.max(1f, Math.abs(b[i])));
    }
    return max;
  }

  /** Softmax of each row of a flattened (rows, cols) array, in double, rounded to float. */
  public static float[] softmaxRows(float[] flat, int cols) {
    float[] out = new float[flat.length];
    for (int r = 0; r < flat.length / cols; r++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, flat[r * cols + j]);
      }
      double sum = 0;
      for (int j = 0; j < cols; j++) {
        sum += Math.exp(flat[r * cols + j] - max);
      }
      for (int j = 0; j < cols; j++) {
        out[r * cols + j] = (float) (Math.exp(flat[r * cols + j] - max) / sum);
      }
    }
    return out;
  }

  /** Row {@code row} of a flattened (rows, cols) array. */
  public static float[] row(float[] flat, int row, int cols) {
    return java.util.Arrays.copyOfRange(flat, row * cols, (row + 1) * cols);
  }
}
