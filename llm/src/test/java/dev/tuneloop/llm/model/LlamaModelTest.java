package dev.tuneloop.llm.model;

import static dev.tuneloop.llm.model.Arrays2.maxAbsDiff;
import static dev.tuneloop.llm.model.Arrays2.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LlamaModelTest {
  private static final float TOLERANCE =
      1e-4f; // float32 logits of magnitude ~10, different summation orders
  private static LoadedModel stories;
  private static LlamaModel model;
  private static NDManager manager;
  private static int vocab;

  @BeforeAll
  static void load() {
    stories = BuiltinModels.stories260K();
    model = stories.model();
    manager = Djl.newManager();
    vocab = model.config().vocabSize();
  }

  @AfterAll
  static void close() {
    manager.close();
    stories.close();
  }

  private static final int[] SEQ_A = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376};
  private static final int[] SEQ_B = {1, 298, 315, 421, 395, 317};

  @Test
  void trainingForwardAgreesWithIncrementalDecodingAtEveryPosition() {
    float[] full = batchLogits(new int[][] {SEQ_A}, false);
    try (DecodeSession session = model.newSession(1, SEQ_A.length, LoraSet.NONE)) {
      float[] first = session.prefill(new int[][] {{SEQ_A[0]}})[0];
      assertThat(maxAbsDiff(first, row(full, 0, vocab))).isLessThan(TOLERANCE);
      for (int i = 1; i < SEQ_A.length; i++) {
        float[] logits = session.step(SEQ_A[i])[0];
        assertThat(maxAbsDiff(logits, row(full, i, vocab)))
            .as("position %d", i)
            .isLessThan(TOLERANCE);
      }
    }
  }

  @Test
  void rightPaddedBatchGivesEachSequenceTheLogitsItHasAlone() {
    float[] alone = batchLogits(new int[][] {SEQ_B}, false);
    float[] batch =
        batchLogits(new int[][] {SEQ_A, SEQ_B}, true); // SEQ_B right-padded to SEQ_A's length
    for (int i = 0; i < SEQ_B.length; i++) {
      assertThat(maxAbsDiff(row(batch, SEQ_A.length + i, vocab), row(alone, i, vocab)))
          .as("position %d", i)
          .isLessThan(TOLERANCE);
    }
  }

  @Test
  void leftPaddedDecodeBatchGivesEachSequenceTheTokensItGetsAlone() {
    int steps = 12;
    int[] aloneA = Greedy.decode(model, SEQ_A, steps, LoraSet.NONE);
    int[] aloneB = Greedy.decode(model, SEQ_B, steps, LoraSet.NONE);
    try (DecodeSession session = model.newSession(2, SEQ_A.length + steps, LoraSet.NONE)) {
      float[][] logits = session.prefill(new int[][] {SEQ_A, SEQ_B});
      for (int i = 0; i < steps; i++) {
        int nextA = Greedy.argmax(logits[0]);
        int nextB = Greedy.argmax(logits[1]);
        assertThat(nextA).as("A step %d", i).isEqualTo(aloneA[SEQ_A.length + i]);
        assertThat(nextB).as("B step %d", i).isEqualTo(aloneB[SEQ_B.length + i]);
        logits = session.step(nextA, nextB);
      }
    }
  }

  @Test
  void decodingPastTheSessionLengthIsRefusedWithTheLimit() {
    try (DecodeSession session = model.newSession(1, 2, LoraSet.NONE)) {
      session.prefill(new int[][] {{1, 403}});
      assertThatThrownBy(() -> session.step(407))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("at most 2");
    }
  }

  /** Logits (B*T rows of V) of a right-padded batch through the training forward. */
  private static float[] batchLogits(int[][] sequences, boolean pad) {
    int t = sequences[0].length;
    int b = sequences.length;
    int[] tokens = new int[b * t];
    int[] mask = new int[b * t];
    for (int n = 0; n < b; n++) {
      for (int i = 0; i < sequences[n].length; i++) {
        tokens[n * t + i] = sequences[n][i];
        mask[n * t + i] = 1;
      }
    }
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = m.create(tokens, new Shape(b, t));
      NDArray padding = pad ? m.create(mask, new Shape(b, t)) : null;
      return model.logits(ids, padding, LoraSet.NONE, false).toFloatArray();
    }
  }
}
