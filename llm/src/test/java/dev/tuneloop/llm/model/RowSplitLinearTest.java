package dev.tuneloop.llm.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import dev.tuneloop.llm.checkpoint.RandomCheckpoints;
import dev.tuneloop.llm.lora.LoraSet;
import org.junit.jupiter.api.Test;

class RowSplitLinearTest {
  // Qwen2-style (q/k/v biases, untied classifier, 2:1 grouping), rows enough that every projection
  // can be cut
  private static final LlamaConfig CONFIG =
      new LlamaConfig(
          ModelType.QWEN2, 128, 352, 2, 4, 2, 32, 1000, 64, 1e-5f, 1e4f, false, true, 0);
  private static final int STEPS = 12;

  @Test
  void splitDecodingGivesBitIdenticalLogits() {
    assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "the row split needs two CPUs");
    StateDict weights = RandomCheckpoints.weights(CONFIG, 7);
    try (NDManager manager = Djl.newManager();
        LlamaModel whole = new LlamaModel(LlamaWeights.fromStateDict(CONFIG, weights, manager), 0);
        LlamaModel split =
            new LlamaModel(LlamaWeights.fromStateDict(CONFIG, weights, manager), 1)) {
      assertThat(whole.splitsDecoding()).isFalse();
      assertThat(split.splitsDecoding()).isTrue();
      float[][][] expected = decode(whole);
      float[][][] actual = decode(split);
      for (int step = 0; step < STEPS; step++) {
        for (int n = 0; n < 2; n++) {
          assertThat(actual[step][n])
              .as("step %d, sequence %d", step, n)
              .isEqualTo(expected[step][n]);
        }
      }
    }
  }

  @Test
  void smallWeightsAreNotSplit() {
    StateDict weights = RandomCheckpoints.weights(CONFIG, 7);
    try (NDManager manager = Djl.newManager();
        LlamaModel model =
            new LlamaModel(LlamaWeights.fromStateDict(CONFIG, weights, manager), 1L << 20)) {
      assertThat(model.splitsDecoding()).as("largest weight is 0.5 MB").isFalse();
    }
  }

  /**
   * Two sequences, prefilled with different prompts and then decoded greedily: the logits of every
   * step.
   */
  private static float[][][] decode(LlamaModel model) {
    float[][][] steps = new float[STEPS][][];
    try (DecodeSession session = model.newSession(2, 3 + STEPS, LoraSet.NONE)) {
      float[][] logits = session.prefill(new int[][] {{1, 17, 300}, {1, 912, 5}});
      for (int step = 0; step < STEPS; step++) {
        logits = session.step(argmax(logits[0]), argmax(logits[1]));
        steps[step] = logits;
      }
    }
    return steps;
  }

  private static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
