package dev.tuneloop.llm.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tuneloop.llm.model.LlamaConfig;
import java.util.List;

/**
 * Several adapters in one batch, one per sequence (or none). At construction each wrapped
 * projection's A and B are stacked in sequence order (pre-transposed, zero-padded to the largest
 * rank, the scaling folded into B), so a forward pass adds the per-sequence updates with two
 * batched matmuls and no per-step gather. A sequence without an adapter gets zero stacks and so
 * exactly the base output. Owns its stacks; close it after the batch.
 */
public final class AdapterBatch implements LoraSet, AutoCloseable {
  private final NDManager manager;
  private final NDArray[][] aT; // [layer][target] (B, in, r)
  private final NDArray[][] bT; // [layer][target] (B, r, out), times the adapter's scaling

  /**
   * @param perSequence the adapter of each sequence in batch order; null entries mean the base
   *     model
   */
  public AdapterBatch(LlamaConfig config, List<LoraAdapter> perSequence, NDManager parent) {
    int batch = perSequence.size();
    int targets = LoraTarget.values().length;
    this.manager = parent.newSubManager();
    this.aT = new NDArray[config.layers()][targets];
    this.bT = new NDArray[config.layers()][targets];
    int rank =
        perSequence.stream().filter(a -> a != null).mapToInt(a -> a.spec().r()).max().orElse(0);
    if (rank == 0) {
      return;
    }
    for (int layer = 0; layer < config.layers(); layer++) {
      for (LoraTarget t : LoraTarget.values()) {
        int in = t.inFeatures(config);
        int out = t.outFeatures(config);
        float[] aStack = new float[batch * in * rank];
        float[] bStack = new float[batch * rank * out];
        boolean used = false;
        for (int n = 0; n < batch; n++) {
          LoraAdapter adapter = perSequence.get(n);
          if (adapter == null || adapter.a(layer, t) == null) {
            continue;
          }
          used = true;
          stackTransposed(adapter, layer, t, in, out, rank, aStack, bStack, n);
        }
        if (used) {
          aT[layer][t.ordinal()] = manager.create(aStack, new Shape(batch, in, rank));
          bT[layer][t.ordinal()] = manager.create(bStack, new Shape(batch, rank, out));
        }
      }
    }
  }

  /**
   * Writes one adapter's A^T (in, rank) and B^T * scaling (rank, out) at position {@code n} of flat
   * stacks, zero-padding its rank up to {@code rank}.
   */
  static void stackTransposed(
      LoraAdapter adapter,
      int layer,
      LoraTarget t,
      int in,
      int out,
      int rank,
      float[] aStack,
      float[] bStack,
      int n) {
    int r = adapter.spec().r();
    float scaling = adapter.spec().scaling();
    float[] a = adapter.a(layer, t).toFloatArray(); // (r, in)
    float[] b = adapter.b(layer, t).toFloatArray(); // (out, r)
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < in; j++) {
        aStack[(n * in + j) * rank + i] = a[i * in + j];
      }
      for (int o = 0; o < out; o++) {
        bStack[(n * rank + i) * out + o] = b[o * r + i] * scaling;
      }
    }
  }

  @Override
  public NDArray delta(int layer, LoraTarget target, NDArray input, boolean training) {
    NDArray a = aT[layer][target.ordinal()];
    if (a == null) {
      return null;
    }
    return input
        .matMul(a)
        .matMul(bT[layer][target.ordinal()]); // (B, T, in) -> (B, T, r) -> (B, T, out)
  }

  @Override
  public void close() {
    manager.close();
  }
}
