package dev.tuneloop.llm.lora;

import static dev.tuneloop.llm.model.Arrays2.maxAbsDiff;
import static dev.tuneloop.llm.model.Arrays2.softmaxRows;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.model.Djl;
import dev.tuneloop.llm.model.LlamaModel;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoraAdapterTest {
  private static final int[][] BATCH = {
    {1, 403, 407, 261, 378, 432, 383, 286}, {1, 298, 315, 421, 395, 317, 426, 338}
  };
  private static LoadedModel stories;
  private static LlamaModel model;
  private static NDManager manager;

  @BeforeAll
  static void load() {
    stories = BuiltinModels.stories260K();
    model = stories.model();
    manager = Djl.newManager();
  }

  @AfterAll
  static void close() {
    manager.close();
    stories.close();
  }

  @Test
  void freshAdapterWithZeroBGivesExactlyTheBaseLogits() {
    LoraSpec spec = new LoraSpec(4, 8f, 0f, EnumSet.allOf(LoraTarget.class), false);
    try (LoraAdapter adapter = LoraAdapter.initialize(model.config(), spec, manager, 7)) {
      assertThat(logits(BATCH, adapter)).containsExactly(logits(BATCH, LoraSet.NONE));
    }
  }

  @Test
  void mergedAdapterAgreesWithUnmergedWithin1e5AndUnmergeRestoresTheBase() {
    float[] base = logits(BATCH, LoraSet.NONE);
    try (LoraAdapter adapter =
        RandomAdapters.gaussian(
            model.config(),
            LoraSpec.of(4, 16f, LoraTarget.Q, LoraTarget.V, LoraTarget.DOWN),
            manager,
            11,
            0.05f,
            0.05f)) {
      float[] unmerged = logits(BATCH, adapter);
      assertThat(maxAbsDiff(unmerged, base))
          .as("the adapter changes the output")
          .isGreaterThan(1e-2f);

      adapter.mergeInto(model);
      float[] merged = logits(BATCH, LoraSet.NONE);
      adapter.unmergeFrom(model);

      assertAgree(merged, unmerged);
      assertAgree(logits(BATCH, LoraSet.NONE), base);
    }
  }

  @Test
  void gradientsReachLoraParametersOnlyAndBaseWeightsStayFrozen() {
    LoraSpec spec = LoraSpec.of(2, 4f, LoraTarget.Q, LoraTarget.V);
    try (LoraAdapter adapter = LoraAdapter.initialize(model.config(), spec, manager, 3);
        NDManager m = manager.newSubManager();
        GradientCollector collector = Djl.engine().newGradientCollector()) {
      NDArray logits =
          model.logits(m.create(BATCH[0], new Shape(1, BATCH[0].length)), null, adapter, true);
      collector.backward(logits.logSoftmax(-1).get(":, :, 5").mean().neg());

      NDArray gradB = adapter.b(0, LoraTarget.Q).getGradient();
      assertThat(gradB.abs().sum().getFloat()).as("dL/dB with A random").isGreaterThan(0f);
      assertThat(model.weights().layer(0).wqkv().hasGradient()).isFalse();
      assertThat(adapter.parameters()).hasSize(2 * 2 * model.config().layers());
    }
  }

  @Test
  void autogradGradientOfBMatchesFiniteDifferences() {
    LoraSpec spec = LoraSpec.of(2, 4f, LoraTarget.Q, LoraTarget.DOWN);
    int layer = 2;
    try (LoraAdapter adapter =
        RandomAdapters.gaussian(model.config(), spec, manager, 8, 0.05f, 0.05f)) {
      float[] gradient;
      try (NDManager m = manager.newSubManager();
          GradientCollector collector = Djl.engine().newGradientCollector()) {
        collector.backward(loss(m, adapter));
        gradient = adapter.b(layer, LoraTarget.DOWN).getGradient().toFloatArray();
      }
      int largest = 0; // the entry whose finite difference stands farthest above float32 noise
      for (int i = 1; i < gradient.length; i++) {
        largest = Math.abs(gradient[i]) > Math.abs(gradient[largest]) ? i : largest;
      }
      int row = largest / spec.r();
      int col = largest % spec.r();
      float eps = 1e-2f;
      double numeric =
          (lossWithB(spec, layer, row, col, eps) - lossWithB(spec, layer, row, col, -eps))
              / (2 * eps);

      assertThat(Math.abs(gradient[largest])).isGreaterThan(1e-3f);
      assertThat(gradient[largest])
          .isCloseTo(
              (float) numeric,
              org.assertj.core.data.Offset.offset(Math.abs(gradient[largest]) * 0.02f));
    }
  }

  /** Mean negative log-likelihood of the next token over one sequence. */
  private static NDArray loss(NDManager m, LoraSet lora) {
    int[] seq = BATCH[0];
    NDArray tokens = m.create(Arrays.copyOf(seq, seq.length - 1), new Shape(1, seq.length - 1));
    NDArray targets =
        m.create(
            Arrays.stream(seq).skip(1).mapToLong(i -> i).toArray(),
            new Shape(1, seq.length - 1, 1));
    NDArray logProbs = model.logits(tokens, null, lora, false).logSoftmax(-1);
    return logProbs.gather(targets, 2).mean().neg();
  }

  private static double lossWithB(LoraSpec spec, int layer, int row, int col, float shift) {
    try (LoraAdapter base =
        RandomAdapters.gaussian(model.config(), spec, manager, 8, 0.05f, 0.05f)) {
      var tensors =
          new dev.tuneloop.llm.model.FloatTensor[model.config().layers()]
              [LoraTarget.values().length][];
      for (int l = 0; l < model.config().layers(); l++) {
        for (LoraTarget t : spec.targets()) {
          float[] a = base.a(l, t).toFloatArray();
          float[] b = base.b(l, t).toFloatArray();
          if (l == layer && t == LoraTarget.DOWN) {
            b[row * spec.r() + col] += shift;
          }
          tensors[l][t.ordinal()] =
              new dev.tuneloop.llm.model.FloatTensor[] {
                new dev.tuneloop.llm.model.FloatTensor(base.a(l, t).getShape().getShape(), a),
                new dev.tuneloop.llm.model.FloatTensor(base.b(l, t).getShape().getShape(), b)
              };
        }
      }
      try (LoraAdapter shifted = LoraAdapter.of(model.config(), spec, tensors, manager);
          NDManager m = manager.newSubManager()) {
        return loss(m, shifted).getFloat();
      }
    }
  }

  @Test
  void residentAdaptersChosenBySlotPerSequenceEqualEachAloneAndSurviveRemovalMidBatch() {
    LoraSpec qv = LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V);
    LoraSpec mlp =
        new LoraSpec(2, 4f, 0f, Set.of(LoraTarget.GATE, LoraTarget.UP, LoraTarget.O), true);
    try (LoraAdapter first =
            RandomAdapters.gaussian(model.config(), qv, manager, 21, 0.05f, 0.05f);
        LoraAdapter second =
            RandomAdapters.gaussian(model.config(), mlp, manager, 22, 0.05f, 0.05f);
        ResidentAdapters resident = new ResidentAdapters(model.config(), 8, manager)) {
      int firstSlot = resident.put("first", first);
      int secondSlot = resident.put("second", second);
      int rowSize = BATCH[0].length * model.config().vocabSize();
      float[] mixed;
      try (ResidentAdapters.Selection selection = resident.select(secondSlot, firstSlot, 0)) {
        resident.remove("second"); // a running batch keeps the stacks it started with
        mixed = logits(new int[][] {BATCH[1], BATCH[0], BATCH[0]}, selection);
      }
      float[] firstAlone = aloneInBatch(BATCH[0], first);
      float[] secondAlone = aloneInBatch(BATCH[1], second);
      assertAgree(Arrays.copyOfRange(mixed, 0, rowSize), secondAlone);
      assertAgree(Arrays.copyOfRange(mixed, rowSize, 2 * rowSize), firstAlone);
      assertThat(maxAbsDiff(firstAlone, logits(new int[][] {BATCH[0]}, first)))
          .as("stacked adapter vs the trainable one")
          .isLessThan(1e-4f);
      assertThat(maxAbsDiff(firstAlone, aloneInBatch(BATCH[0], second)))
          .as("the two adapters differ")
          .isGreaterThan(1e-2f);
      assertThat(Arrays.copyOfRange(mixed, 2 * rowSize, 3 * rowSize))
          .containsExactly(logits(new int[][] {BATCH[0]}, LoraSet.NONE));
      assertThat(resident.put("third", second)).as("a freed slot is reused").isEqualTo(secondSlot);
      assertThat(resident.slot("first")).isEqualTo(firstSlot);
    }
  }

  @Test
  void dropoutActsOnlyInTraining() {
    LoraSpec spec = LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V).withDropout(0.5f);
    try (LoraAdapter adapter =
            RandomAdapters.gaussian(model.config(), spec, manager, 5, 0.05f, 0.05f);
        LoraAdapter noDropout =
            RandomAdapters.gaussian(
                model.config(), spec.withDropout(0f), manager, 5, 0.05f, 0.05f)) {
      assertThat(logits(BATCH, adapter)).containsExactly(logits(BATCH, noDropout));
      try (NDManager m = manager.newSubManager()) {
        NDArray tokens = m.create(BATCH[0], new Shape(1, BATCH[0].length));
        float[] training = model.logits(tokens, null, adapter, true).toFloatArray();
        assertThat(
                maxAbsDiff(training, model.logits(tokens, null, noDropout, false).toFloatArray()))
            .isGreaterThan(1e-4f);
      }
    }
  }

  @Test
  void rsLoraScalesByAlphaOverSquareRootOfRank() {
    assertThat(LoraSpec.of(16, 8f, LoraTarget.Q).scaling()).isEqualTo(0.5f);
    assertThat(LoraSpec.of(16, 8f, LoraTarget.Q).withRslora(true).scaling()).isEqualTo(2f);
  }

  /**
   * Any ulp-sized change in the computation (merged weights, another batch size) moves this model's
   * float32 logits by up to ~1.5e-5, whatever the adapter's size; so next-token probabilities must
   * agree within 1e-5, logits 5e-5.
   */
  private static void assertAgree(float[] actual, float[] expected) {
    int vocab = model.config().vocabSize();
    assertThat(maxAbsDiff(softmaxRows(actual, vocab), softmaxRows(expected, vocab)))
        .isLessThan(1e-5f);
    assertThat(maxAbsDiff(actual, expected)).isLessThan(5e-5f);
  }

  /** The logits of {@code sequence} alone, its adapter stacked (rank-padded) in a slot. */
  private static float[] aloneInBatch(int[] sequence, LoraAdapter adapter) {
    try (ResidentAdapters resident = new ResidentAdapters(model.config(), 8, manager);
        ResidentAdapters.Selection alone = resident.select(resident.put("alone", adapter))) {
      return logits(new int[][] {sequence}, alone);
    }
  }

  private static float[] logits(int[][] batch, LoraSet lora) {
    try (NDManager m = manager.newSubManager()) {
      int[] flat = Arrays.stream(batch).flatMapToInt(Arrays::stream).toArray();
      NDArray tokens = m.create(flat, new Shape(batch.length, batch[0].length));
      return model.logits(tokens, null, lora, false).toType(DataType.FLOAT32, false).toFloatArray();
    }
  }
}
