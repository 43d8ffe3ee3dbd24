package dev.tuneloop.llm.model;

import java.util.Arrays;

/**
 * A named-less float32 tensor on the Java heap, row-major: the currency of checkpoint readers and
 * writers.
 */
public record FloatTensor(long[] shape, float[] data) {

  public FloatTensor {
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    if (count != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + count + " values but has " + data.length);
    }
  }

  public static FloatTensor of(float[] data, long... shape) {
    return new FloatTensor(shape, data);
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }
}
