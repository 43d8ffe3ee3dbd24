package dev.tuneloop.inference;

import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSpec;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Random;

/** Adapters as the trainer would publish them, written with the LLM core's own PEFT writer. */
public final class TestAdapters {
    private TestAdapters() {
    }

    /**
     * A rank-4 adapter on q_proj and v_proj with seeded random A and B (B scaled by {@code bScale}; 0 makes it
     * the identity), saved in PEFT format to {@code dir}.
     */
    public static void writeRandomPeftAdapter(LoadedModel model, Path dir, float bScale, long seed) {
        LlamaConfig config = model.config();
        LoraSpec spec = LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V);
        Random random = new Random(seed);
        FloatTensor[][][] tensors = new FloatTensor[config.layers()][LoraTarget.values().length][];
        for (int layer = 0; layer < config.layers(); layer++) {
            for (LoraTarget t : spec.targets()) {
                int in = t.inFeatures(config);
                int out = t.outFeatures(config);
                tensors[layer][t.ordinal()] = new FloatTensor[] {
                    FloatTensor.of(gaussian(random, spec.r() * in, 1f / (float) Math.sqrt(in)), spec.r(), in),
                    FloatTensor.of(gaussian(random, out * spec.r(), bScale), out, spec.r())};
            }
        }
        try (LoraAdapter adapter = LoraAdapter.of(config, spec, tensors, model.manager())) {
            PeftAdapters.save(adapter, dir, model.id());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float[] gaussian(Random random, int n, float scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian() * scale;
        }
        return values;
    }
}
