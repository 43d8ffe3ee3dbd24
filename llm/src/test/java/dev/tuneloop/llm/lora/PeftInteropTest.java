package dev.tuneloop.llm.lora;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.Checkpoints;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.checkpoint.Safetensors;
import dev.tuneloop.llm.model.Arrays2;
import dev.tuneloop.llm.model.FloatTensor;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hugging Face interoperability, against logits that transformers and PEFT computed (fixtures in
 * {@code src/test/resources/interop}, written by {@link InteropFixtures} and {@code
 * tools/interop/peft_check.py}; their versions are in {@code report.json}). Our forward runs live
 * here; no Python is needed.
 *
 * <p>Tolerance 1e-4 absolute on logits of magnitude up to ~22: two float32 implementations that sum
 * in different orders differ by ~1.5e-5 here, and transformers in float32 differs from itself in
 * float64 by ~1.2e-5. A mistake in naming, transposition, scaling or rotary layout moves logits by
 * whole units (the adapters change them by 5 to 15).
 */
class PeftInteropTest {
  private static final float TOLERANCE = 1e-4f;
  private static Path fixtures;
  private static LoadedModel exported;
  private static int[] tokens;
  private static Map<String, FloatTensor> hf;

  @BeforeAll
  static void load() throws Exception {
    fixtures = Path.of(PeftInteropTest.class.getResource("/interop").toURI());
    exported = Checkpoints.load(fixtures.resolve(InteropFixtures.HF_DIR));
    ObjectMapper json = new ObjectMapper();
    tokens =
        json.treeToValue(
            json.readTree(fixtures.resolve(InteropFixtures.INPUTS).toFile()).path("tokens"),
            int[].class);
    hf = Safetensors.read(fixtures.resolve(InteropFixtures.HF_LOGITS)).tensors();
  }

  @AfterAll
  static void close() {
    exported.close();
  }

  @Test
  void fixturesAreTheVendoredModelAndTheReferenceStory() {
    try (LoadedModel builtin = BuiltinModels.stories260K()) {
      assertThat(exported.id().sha256()).isEqualTo(builtin.id().sha256());
      assertThat(tokens).containsExactly(InteropFixtures.tokens(builtin));
    }
  }

  @Test
  void baseForwardMatchesTransformersLlamaForCausalLM() {
    float[] ours = InteropFixtures.logits(exported, tokens, LoraSet.NONE).data();

    assertThat(Arrays2.maxAbsDiff(ours, hf.get("base").data())).isLessThan(TOLERANCE);
    assertThat(Arrays2.maxAbsDiff(ours, hf.get("base_f64").data())).isLessThan(TOLERANCE);
  }

  @Test
  void ourSavedAdapterGivesInPeftTheLogitsItGivesHere() {
    try (LoraAdapter adapter =
        PeftAdapters.load(fixtures.resolve(InteropFixtures.JAVA_ADAPTER), exported)) {
      float[] ours = InteropFixtures.logits(exported, tokens, adapter).data();

      assertThat(Arrays2.maxAbsDiff(ours, hf.get("java_adapter").data())).isLessThan(TOLERANCE);
      assertThat(Arrays2.maxAbsDiff(ours, hf.get("java_adapter_f64").data())).isLessThan(TOLERANCE);
      assertThat(Arrays2.maxAbsDiff(ours, hf.get("base").data()))
          .as("the adapter matters")
          .isGreaterThan(1f);
    }
  }

  @Test
  void adapterSavedByPeftLoadsAndGivesHereTheLogitsPeftComputed() {
    try (LoraAdapter adapter =
        PeftAdapters.load(fixtures.resolve(InteropFixtures.PEFT_ADAPTER), exported)) {
      assertThat(adapter.spec())
          .isEqualTo(new LoraSpec(4, 16f, 0f, EnumSet.allOf(LoraTarget.class), false));
      float[] ours = InteropFixtures.logits(exported, tokens, adapter).data();

      assertThat(Arrays2.maxAbsDiff(ours, hf.get("peft_adapter").data())).isLessThan(TOLERANCE);
      assertThat(Arrays2.maxAbsDiff(ours, hf.get("peft_adapter_f64").data())).isLessThan(TOLERANCE);
      assertThat(Arrays2.maxAbsDiff(ours, hf.get("base").data()))
          .as("the adapter matters")
          .isGreaterThan(1f);
    }
  }

  @Test
  void mergedPeftAdapterGivesTheSameLogitsAsPeftUnmerged() {
    try (LoadedModel model = Checkpoints.load(fixtures.resolve(InteropFixtures.HF_DIR));
        LoraAdapter adapter =
            PeftAdapters.load(fixtures.resolve(InteropFixtures.PEFT_ADAPTER), model)) {
      adapter.mergeInto(model.model());
      float[] merged = InteropFixtures.logits(model, tokens, LoraSet.NONE).data();

      assertThat(Arrays2.maxAbsDiff(merged, hf.get("peft_adapter").data())).isLessThan(TOLERANCE);
    }
  }
}
