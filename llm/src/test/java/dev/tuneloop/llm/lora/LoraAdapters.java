package dev.tuneloop.llm.lora;

import ai.djl.ndarray.NDManager;
import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import java.util.Random;

/** Test adapters with random A and B, so that they visibly change a model's output. */
final class LoraAdapters {
    private LoraAdapters() {
    }

    static LoraAdapter random(LlamaConfig config, LoraSpec spec, NDManager manager, long seed) {
        Random random = new Random(seed);
        FloatTensor[][][] tensors = new FloatTensor[config.layers()][LoraTarget.values().length][];
        for (int layer = 0; layer < config.layers(); layer++) {
            for (LoraTarget t : spec.targets()) {
                int in = t.inFeatures(config);
                int out = t.outFeatures(config);
                tensors[layer][t.ordinal()] = new FloatTensor[] {
                    FloatTensor.of(gaussian(random, spec.r() * in, 0.05f), spec.r(), in),
                    FloatTensor.of(gaussian(random, out * spec.r(), 0.05f), out, spec.r())};
            }
        }
        return LoraAdapter.of(config, spec, tensors, manager);
    }

    private static float[] gaussian(Random random, int n, float std) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * std;
        }
        return values;
    }
}
