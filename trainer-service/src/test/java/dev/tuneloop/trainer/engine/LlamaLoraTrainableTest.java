package dev.tuneloop.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSpec;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.llm.lora.RandomAdapters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaLoraTrainableTest {

  private static LoadedModel base;

  @BeforeAll
  static void load() {
    base = BuiltinModels.stories260K();
    JniUtils.setGradMode(false);
  }

  @AfterAll
  static void close() {
    base.close();
  }

  private static final int[] TOKENS = {1, 403, 407, 261, 378, 429, 410, 353, 274, 259};

  /**
   * A trained-looking adapter (B not zero), saved as PEFT files and loaded back, as serving does.
   */
  private static LoraAdapter savedAndLoaded(Path dir, LoraSpec spec) throws Exception {
    try (LoraAdapter random =
        RandomAdapters.inputScaled(base.config(), spec, base.manager(), 5, 0.05f)) {
      PeftAdapters.save(random, dir, base.id());
    }
    return PeftAdapters.load(dir, base);
  }

  private static float[] logits(java.util.function.Function<NDArray, NDArray> forward) {
    try (NDManager scope = base.manager().newSubManager()) {
      return forward.apply(scope.create(TOKENS, new Shape(1, TOKENS.length))).toFloatArray();
    }
  }

  @Test
  void aWarmStartComputesExactlyWhatTheLoadedAdapterComputes(@TempDir Path dir) throws Exception {
    var spec = LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V, LoraTarget.DOWN);
    var settings = new LoraSettings(4, 8, 0, List.of("q_proj", "v_proj", "down_proj"), false);
    try (LoraAdapter loaded = savedAndLoaded(dir, spec)) {
      var warm = LlamaLoraTrainable.warmStart(base.model(), settings, loaded);
      try (LoraAdapter copy = warm.adapter()) {
        float[] expected = logits(x -> base.model().logits(x, null, loaded, false));
        assertThat(logits(x -> warm.logits(x, false))).containsExactly(expected);
        float[] plain =
            logits(x -> base.model().logits(x, null, dev.tuneloop.llm.lora.LoraSet.NONE, false));
        assertThat(expected).isNotEqualTo(plain); // the adapter does change the model
        // A copy, not a view: changing the warm start leaves the loaded adapter alone.
        assertThat(copy.parameters()).allMatch(NDArray::hasGradient);
        copy.b(0, LoraTarget.Q).muli(0);
        assertThat(logits(x -> warm.logits(x, false))).isNotEqualTo(expected);
        assertThat(logits(x -> base.model().logits(x, null, loaded, false)))
            .containsExactly(expected);
      }
    }
  }

  @Test
  void aDifferentAlphaRescalesBSoTheStartingModelIsTheSame(@TempDir Path dir) throws Exception {
    var spec = LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V);
    var settings = new LoraSettings(4, 32, 0, List.of("q_proj", "v_proj"), false);
    try (LoraAdapter loaded = savedAndLoaded(dir, spec)) {
      var warm = LlamaLoraTrainable.warmStart(base.model(), settings, loaded);
      try (LoraAdapter copy = warm.adapter()) {
        assertThat(copy.spec().scaling()).isEqualTo(8f);
        float[] expected = logits(x -> base.model().logits(x, null, loaded, false));
        float[] actual = logits(x -> warm.logits(x, false));
        for (int i = 0; i < expected.length; i++) {
          assertThat(actual[i]).as("logit %d", i).isCloseTo(expected[i], within(5e-5f));
        }
      }
    }
  }

  @Test
  void anotherRankOrOtherModulesAreRefusedNamingBoth(@TempDir Path dir) throws Exception {
    try (LoraAdapter loaded =
        savedAndLoaded(
            Files.createDirectories(dir), LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V))) {
      assertThatThrownBy(
              () ->
                  LlamaLoraTrainable.warmStart(
                      base.model(),
                      new LoraSettings(8, 16, 0, List.of("q_proj", "v_proj"), false),
                      loaded))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "has lora_r 4 and target_modules [q_proj, v_proj], but this job has lora_r 8 and"
                  + " target_modules [q_proj, v_proj]");
      assertThatThrownBy(
              () ->
                  LlamaLoraTrainable.warmStart(
                      base.model(),
                      new LoraSettings(4, 8, 0, List.of("q_proj", "k_proj", "v_proj"), false),
                      loaded))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "but this job has lora_r 4 and target_modules [q_proj, k_proj, v_proj]");
    }
  }
}
