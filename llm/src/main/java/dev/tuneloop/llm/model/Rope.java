package dev.tuneloop.llm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/**
 * Rotary position embedding in the Hugging Face "half-split" layout: dimension i of a head pairs
 * with i + E/2. {@code rope(x) = x * cos + rotateHalf(x) * sin}, where rotateHalf(x) = [-x2, x1] is
 * a fixed signed permutation, applied as one matmul with an exact +-1 matrix. Tables are computed
 * in float like the llama2.c reference.
 */
final class Rope {
  private final NDArray cos; // (maxSeqLen, E)
  private final NDArray sin; // (maxSeqLen, E)
  private final NDArray rotateHalf; // (E, E)

  Rope(LlamaConfig c, NDManager manager) {
    int e = c.headDim();
    int half = e / 2;
    int maxLen = c.maxSeqLen();
    float[] cosTable = new float[maxLen * e];
    float[] sinTable = new float[maxLen * e];
    for (int pos = 0; pos < maxLen; pos++) {
      for (int i = 0; i < half; i++) {
        float freq = 1.0f / (float) Math.pow(c.ropeTheta(), (2 * i) / (float) e);
        float angle = pos * freq;
        float cs = (float) Math.cos(angle);
        float sn = (float) Math.sin(angle);
        cosTable[pos * e + i] = cs;
        cosTable[pos * e + i + half] = cs;
        sinTable[pos * e + i] = sn;
        sinTable[pos * e + i + half] = sn;
      }
    }
    float[] rot = new float[e * e];
    for (int j = 0; j < half; j++) {
      rot[(j + half) * e + j] = -1f; // out[j] = -x[j + half]
      rot[j * e + j + half] = 1f; // out[j + half] = x[j]
    }
    this.cos = manager.create(cosTable, new Shape(maxLen, e));
    this.sin = manager.create(sinTable, new Shape(maxLen, e));
    this.rotateHalf = manager.create(rot, new Shape(e, e));
  }

  /** Tables for the given positions (B, T), shaped to broadcast over heads: (B, T, 1, E) each. */
  NDArray[] tables(NDArray positions) {
    var ex = positions.getNDArrayInternal();
    NDArray c = ex.embedding(positions, cos, SparseFormat.DENSE).singletonOrThrow().expandDims(2);
    NDArray s = ex.embedding(positions, sin, SparseFormat.DENSE).singletonOrThrow().expandDims(2);
    return new NDArray[] {c, s};
  }

  /** Rotates x (B, T, heads, E) by the tables from {@link #tables}. */
  NDArray apply(NDArray x, NDArray[] tables) {
    return x.mul(tables[0]).add(x.matMul(rotateHalf).mul(tables[1]));
  }
}
