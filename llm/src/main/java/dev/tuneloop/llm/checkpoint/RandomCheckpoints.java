package dev.tuneloop.llm.checkpoint;

import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.StateDict;
import dev.tuneloop.llm.model.StateDict.Names;
import java.util.Random;

/**
 * Randomly initialised weights for any config (scaled like a fresh network), for tests and
 * benchmarks.
 */
public final class RandomCheckpoints {
  private RandomCheckpoints() {}

  public static StateDict weights(LlamaConfig c, long seed) {
    Random random = new Random(seed);
    StateDict sd = new StateDict();
    sd.put(Names.EMBED, gaussian(random, 1f, c.vocabSize(), c.dim()));
    for (int i = 0; i < c.layers(); i++) {
      sd.put(Names.layer(i, "input_layernorm.weight"), around1(random, c.dim()));
      sd.put(
          Names.layer(i, "self_attn.q_proj.weight"),
          gaussian(random, scale(c.dim()), c.qDim(), c.dim()));
      sd.put(
          Names.layer(i, "self_attn.k_proj.weight"),
          gaussian(random, scale(c.dim()), c.kvDim(), c.dim()));
      sd.put(
          Names.layer(i, "self_attn.v_proj.weight"),
          gaussian(random, scale(c.dim()), c.kvDim(), c.dim()));
      if (c.attentionBias()) {
        sd.put(Names.layer(i, "self_attn.q_proj.bias"), gaussian(random, 0.1f, c.qDim()));
        sd.put(Names.layer(i, "self_attn.k_proj.bias"), gaussian(random, 0.1f, c.kvDim()));
        sd.put(Names.layer(i, "self_attn.v_proj.bias"), gaussian(random, 0.1f, c.kvDim()));
      }
      sd.put(
          Names.layer(i, "self_attn.o_proj.weight"),
          gaussian(random, scale(c.qDim()), c.dim(), c.qDim()));
      sd.put(Names.layer(i, "post_attention_layernorm.weight"), around1(random, c.dim()));
      sd.put(
          Names.layer(i, "mlp.gate_proj.weight"),
          gaussian(random, scale(c.dim()), c.hiddenDim(), c.dim()));
      sd.put(
          Names.layer(i, "mlp.up_proj.weight"),
          gaussian(random, scale(c.dim()), c.hiddenDim(), c.dim()));
      sd.put(
          Names.layer(i, "mlp.down_proj.weight"),
          gaussian(random, scale(c.hiddenDim()), c.dim(), c.hiddenDim()));
    }
    sd.put(Names.FINAL_NORM, around1(random, c.dim()));
    if (!c.tiedEmbeddings()) {
      sd.put(Names.LM_HEAD, gaussian(random, scale(c.dim()), c.vocabSize(), c.dim()));
    }
    return sd;
  }

  private static float scale(int fanIn) {
    return (float) (1 / Math.sqrt(fanIn));
  }

  private static FloatTensor gaussian(Random random, float std, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    float[] data = new float[Math.toIntExact(n)];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextGaussian() * std;
    }
    return new FloatTensor(shape, data);
  }

  private static FloatTensor around1(Random random, int n) {
    float[] data = new float[n];
    for (int i = 0; i < n; i++) {
      data[i] = 1f + (float) random.nextGaussian() * 0.1f;
    }
    return FloatTensor.of(data, n);
  }
}
