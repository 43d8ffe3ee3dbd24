package dev.tuneloop.llm.lora;

import ai.djl.ndarray.NDManager;
import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import java.util.Random;
import java.util.function.IntToDoubleFunction;

/**
 * Adapters with seeded Gaussian A and B, for tests and benchmarks: unlike a freshly initialised
 * adapter (B = 0) they change the model's output, as a trained one would. Values are drawn layer by
 * layer in {@link LoraTarget} order, so the same seed gives the same adapter in every JVM.
 */
public final class RandomAdapters {
  private RandomAdapters() {}

  /**
   * A with standard deviation {@code aStd}, B with {@code bStd} (0 gives an adapter that changes
   * nothing).
   */
  public static LoraAdapter gaussian(
      LlamaConfig config, LoraSpec spec, NDManager manager, long seed, float aStd, float bStd) {
    return draw(config, spec, manager, seed, in -> aStd, bStd);
  }

  /**
   * A with standard deviation 1/sqrt(in features), so its output keeps the input's scale; B with
   * {@code bStd}.
   */
  public static LoraAdapter inputScaled(
      LlamaConfig config, LoraSpec spec, NDManager manager, long seed, float bStd) {
    return draw(config, spec, manager, seed, in -> 1 / Math.sqrt(in), bStd);
  }

  private static LoraAdapter draw(
      LlamaConfig config,
      LoraSpec spec,
      NDManager manager,
      long seed,
      IntToDoubleFunction aStd,
      float bStd) {
    Random random = new Random(seed);
    FloatTensor[][][] tensors = new FloatTensor[config.layers()][LoraTarget.values().length][];
    for (int layer = 0; layer < config.layers(); layer++) {
      for (LoraTarget t : LoraAdapter.sorted(spec)) {
        int in = t.inFeatures(config);
        int out = t.outFeatures(config);
        tensors[layer][t.ordinal()] =
            new FloatTensor[] {
              FloatTensor.of(
                  values(random, spec.r() * in, (float) aStd.applyAsDouble(in)), spec.r(), in),
              FloatTensor.of(values(random, out * spec.r(), bStd), out, spec.r())
            };
      }
    }
    return LoraAdapter.of(config, spec, tensors, manager);
  }

  private static float[] values(Random random, int n, float std) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian() * std;
    }
    return values;
  }
}
