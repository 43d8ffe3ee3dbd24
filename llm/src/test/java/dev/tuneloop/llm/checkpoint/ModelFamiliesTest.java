package dev.tuneloop.llm.checkpoint;

import static dev.tuneloop.llm.model.Arrays2.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.model.DecodeSession;
import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.ModelType;
import dev.tuneloop.llm.model.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Small randomly initialised Qwen2-, Mistral- and Llama-style checkpoints, written as Hugging Face
 * directories.
 */
class ModelFamiliesTest {
  private static final int[] TOKENS = {1, 72, 300, 5, 41, 260, 17, 99, 400, 8, 3, 250};

  @TempDir Path dir;

  static LlamaConfig config(ModelType type) {
    return switch (type) {
      // biases on q, k, v; grouped-query attention 4:2; tied classifier
      case QWEN2 ->
          new LlamaConfig(ModelType.QWEN2, 32, 64, 2, 4, 2, 8, 512, 64, 1e-6f, 1e6f, true, true, 0);
      // sliding window of 4 (shorter than the test sequence); untied classifier; 4:1 grouping
      case MISTRAL ->
          new LlamaConfig(
              ModelType.MISTRAL, 32, 48, 2, 4, 1, 8, 512, 64, 1e-5f, 1e4f, false, false, 4);
      // head_dim 16 with dim 32 and 4 heads: qDim 64 differs from dim
      case LLAMA ->
          new LlamaConfig(
              ModelType.LLAMA, 32, 48, 2, 4, 2, 16, 512, 64, 1e-5f, 5e5f, false, false, 0);
    };
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void randomHuggingFaceCheckpointLoadsAndMatchesAnIndependentReference(ModelType type)
      throws Exception {
    LlamaConfig config = config(type);
    StateDict weights = RandomCheckpoints.weights(config, 42);
    HfCheckpoint.write(dir, config, weights, Safetensors.DType.F32, 1, 2);
    Files.write(dir.resolve("tokenizer.bin"), BuiltinModels.resource("tok512.bin"));

    double[][] expected = new ReferenceForward(config, weights).logits(TOKENS);
    try (LoadedModel loaded = Checkpoints.load(dir);
        NDManager m = loaded.manager().newSubManager()) {
      assertThat(loaded.config()).isEqualTo(config);
      float[] actual =
          loaded
              .model()
              .logits(m.create(TOKENS, new Shape(1, TOKENS.length)), null, LoraSet.NONE, false)
              .toFloatArray();
      double maxDiff = 0;
      for (int t = 0; t < TOKENS.length; t++) {
        for (int v = 0; v < config.vocabSize(); v++) {
          maxDiff =
              Math.max(maxDiff, Math.abs(actual[t * config.vocabSize() + v] - expected[t][v]));
        }
      }
      assertThat(maxDiff).as("float32 model vs float64 reference").isLessThan(1e-4);
      // the KV-cache path (prefill of 3, then one token at a time, past the Mistral window) agrees
      // too
      int v = config.vocabSize();
      try (DecodeSession session = loaded.model().newSession(1, TOKENS.length, LoraSet.NONE)) {
        float[] logits = session.prefill(new int[][] {java.util.Arrays.copyOf(TOKENS, 3)})[0];
        for (int t = 2; t < TOKENS.length; t++) {
          if (t > 2) {
            logits = session.step(TOKENS[t])[0];
          }
          assertThat(maxAbsDiff(logits, java.util.Arrays.copyOfRange(actual, t * v, (t + 1) * v)))
              .as("position %d", t)
              .isLessThan(1e-4f);
        }
      }
    }
  }
}
