package dev.tuneloop.llm.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.llm.checkpoint.BaseModelId;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.CheckpointException;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.checkpoint.Safetensors;
import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftAdaptersTest {
  private static final LoraSpec SPEC =
      new LoraSpec(4, 8f, 0.05f, Set.of(LoraTarget.Q, LoraTarget.V, LoraTarget.DOWN), true);
  private static LoadedModel stories;

  @TempDir Path dir;

  @BeforeAll
  static void load() {
    stories = BuiltinModels.stories260K();
  }

  @AfterAll
  static void close() {
    stories.close();
  }

  @Test
  void saveThenLoadIsLosslessAndWritesPeftNamesAndConfig() throws Exception {
    try (LoraAdapter saved =
        RandomAdapters.gaussian(stories.config(), SPEC, stories.manager(), 9, 0.05f, 0.05f)) {
      PeftAdapters.save(saved, dir, stories.id());
      try (LoraAdapter loaded = PeftAdapters.load(dir, stories)) {
        assertThat(loaded.spec()).isEqualTo(SPEC);
        for (int layer = 0; layer < stories.config().layers(); layer++) {
          for (LoraTarget t : SPEC.targets()) {
            assertThat(loaded.a(layer, t).toFloatArray())
                .containsExactly(saved.a(layer, t).toFloatArray());
            assertThat(loaded.b(layer, t).toFloatArray())
                .containsExactly(saved.b(layer, t).toFloatArray());
          }
        }
        assertThat(logits(loaded)).containsExactly(logits(saved));
      }
    }
    JsonNode config = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
    assertThat(config.path("peft_type").asText()).isEqualTo("LORA");
    assertThat(config.path("r").asInt()).isEqualTo(4);
    assertThat(config.path("lora_alpha").asDouble()).isEqualTo(8.0);
    assertThat(config.path("use_rslora").asBoolean()).isTrue();
    assertThat(config.path("base_model_name_or_path").asText()).isEqualTo("stories260K");
    Map<String, FloatTensor> tensors =
        Safetensors.read(dir.resolve("adapter_model.safetensors")).tensors();
    assertThat(
            tensors.get("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").shape())
        .containsExactly(4, 64);
    assertThat(tensors.get("base_model.model.model.layers.4.mlp.down_proj.lora_B.weight").shape())
        .containsExactly(64, 4);
    assertThat(tensors).hasSize(2 * 3 * stories.config().layers());
  }

  @Test
  void adapterTrainedOnAnotherBaseIsRefusedNamingBothModels() throws Exception {
    try (LoraAdapter adapter =
        RandomAdapters.gaussian(stories.config(), SPEC, stories.manager(), 9, 0.05f, 0.05f)) {
      PeftAdapters.save(adapter, dir, new BaseModelId("other-model", "ab".repeat(32)));
    }
    assertThatThrownBy(() -> PeftAdapters.load(dir, stories))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(dir.resolve("adapter_model.safetensors").toString())
        .hasMessageContaining("other-model")
        .hasMessageContaining("stories260K");
  }

  @Test
  void adapterOfDifferentShapeIsRefusedNamingTheTensor() throws Exception {
    LlamaConfig wider = LlamaConfig.llama(128, 172, 5, 8, 4, 512, 512, true);
    try (NDManager m = stories.manager().newSubManager();
        LoraAdapter adapter = RandomAdapters.gaussian(wider, SPEC, m, 1, 0.05f, 0.05f)) {
      PeftAdapters.save(adapter, dir, new BaseModelId("wider", stories.id().sha256()));
    }
    assertThatThrownBy(() -> PeftAdapters.load(dir, stories))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("does not fit the base model")
        .hasMessageContaining("lora_A has shape [4, 128], expected [4, 64]");
  }

  @Test
  void adapterSavedByPeftWithoutOurMetadataLoads() throws Exception {
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    for (int layer = 0; layer < stories.config().layers(); layer++) {
      tensors.put(
          PeftAdapters.name(layer, LoraTarget.K, "lora_A"),
          FloatTensor.of(new float[2 * 64], 2, 64));
      tensors.put(
          PeftAdapters.name(layer, LoraTarget.K, "lora_B"),
          FloatTensor.of(new float[32 * 2], 32, 2));
    }
    Safetensors.write(
        dir.resolve("adapter_model.safetensors"),
        tensors,
        Map.of("format", "pt"),
        Safetensors.DType.F32);
    Files.writeString(
        dir.resolve("adapter_config.json"),
        """
                {"peft_type": "LORA", "r": 2, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": ["k_proj"],
                 "base_model_name_or_path": "karpathy/tinyllamas", "bias": "none", "task_type": "CAUSAL_LM"}""");

    try (LoraAdapter adapter = PeftAdapters.load(dir, stories)) {
      assertThat(adapter.spec().scaling()).isEqualTo(8f);
      assertThat(adapter.spec().targets()).containsExactly(LoraTarget.K);
    }
  }

  @Test
  void unsupportedPeftFeaturesAreRefusedNamingTheConfig() throws Exception {
    Files.writeString(
        dir.resolve("adapter_config.json"),
        """
                {"peft_type": "LORA", "r": 2, "lora_alpha": 16, "target_modules": ["q_proj"], "use_dora": true}""");
    assertThatThrownBy(() -> PeftAdapters.load(dir, stories))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(dir.resolve("adapter_config.json").toString())
        .hasMessageContaining("DoRA");

    Files.writeString(
        dir.resolve("adapter_config.json"),
        """
                {"peft_type": "LORA", "r": 2, "lora_alpha": 16, "target_modules": ["c_attn"]}""");
    assertThatThrownBy(() -> PeftAdapters.load(dir, stories))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("unknown LoRA target module 'c_attn'");
  }

  private static float[] logits(LoraSet lora) {
    try (NDManager m = stories.manager().newSubManager()) {
      NDArray tokens = m.create(new int[] {1, 403, 407, 261, 378}, new Shape(1, 5));
      return stories.model().logits(tokens, null, lora, false).toFloatArray();
    }
  }
}
