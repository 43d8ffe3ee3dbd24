package dev.tuneloop.llm.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuneloop.llm.checkpoint.BaseModelId;
import dev.tuneloop.llm.checkpoint.CheckpointException;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.checkpoint.Safetensors;
import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * LoRA adapters in Hugging Face PEFT's format: {@code adapter_config.json} and {@code
 * adapter_model.safetensors} with tensors {@code
 * base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight} [r, in] and {@code
 * ...lora_B.weight} [out, r]. The base model's weight digest travels in the safetensors metadata
 * (which PEFT ignores), so loading refuses an adapter trained on another base even when names
 * agree.
 */
public final class PeftAdapters {
  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";
  public static final String BASE_SHA_KEY = "tuneloop.base_model_sha256";
  public static final String BASE_NAME_KEY = "tuneloop.base_model_name";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "base_model.model.model.layers.";

  private PeftAdapters() {}

  /**
   * Writes the adapter into {@code dir} (created if absent), recording {@code base} as its base
   * model.
   */
  public static void save(LoraAdapter adapter, Path dir, BaseModelId base) throws IOException {
    Files.createDirectories(dir);
    LoraSpec spec = adapter.spec();
    ObjectNode config = JSON.createObjectNode();
    config.put("peft_type", "LORA");
    config.put("task_type", "CAUSAL_LM");
    config.put("base_model_name_or_path", base.name());
    config.put("r", spec.r());
    config.put("lora_alpha", spec.alpha());
    config.put("lora_dropout", spec.dropout());
    var targets = config.putArray("target_modules");
    LoraAdapter.sorted(spec).forEach(t -> targets.add(t.moduleName()));
    config.put("use_rslora", spec.useRslora());
    config.put("use_dora", false);
    config.put("bias", "none");
    config.put("fan_in_fan_out", false);
    config.put("inference_mode", true);
    config.put("init_lora_weights", true);
    config.putNull("modules_to_save");
    config.putNull("layers_to_transform");
    config.putNull("revision");
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG).toFile(), config);

    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    for (int layer = 0; layer < adapter.config().layers(); layer++) {
      for (LoraTarget t : LoraAdapter.sorted(spec)) {
        tensors.put(name(layer, t, "lora_A"), toTensor(adapter.a(layer, t)));
        tensors.put(name(layer, t, "lora_B"), toTensor(adapter.b(layer, t)));
      }
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put(BASE_NAME_KEY, base.name());
    metadata.put(BASE_SHA_KEY, base.sha256());
    Safetensors.write(dir.resolve(WEIGHTS), tensors, metadata, Safetensors.DType.F32);
  }

  /** Reads an adapter for a loaded base model, in the base model's native memory. */
  public static LoraAdapter load(Path dir, LoadedModel base) {
    return load(dir, base.config(), base.id(), base.manager());
  }

  /**
   * Reads an adapter for the given base model.
   *
   * @throws CheckpointException naming the file when the adapter is malformed, uses PEFT features
   *     this module does not implement, was trained on another base model, or its shapes do not fit
   */
  public static LoraAdapter load(
      Path dir, LlamaConfig config, BaseModelId base, NDManager manager) {
    Path configFile = dir.resolve(CONFIG);
    Path weightsFile = dir.resolve(WEIGHTS);
    if (!Files.isRegularFile(configFile)) {
      throw new CheckpointException(configFile, "not a PEFT adapter: file missing");
    }
    LoraSpec spec = readSpec(configFile);
    if (!Files.isRegularFile(weightsFile)) {
      throw new CheckpointException(
          weightsFile, "adapter weights missing (adapter_model.bin is not supported)");
    }
    Safetensors.Contents contents = Safetensors.read(weightsFile);
    String sha = contents.metadata().get(BASE_SHA_KEY);
    if (sha != null && !sha.equals(base.sha256())) {
      throw new CheckpointException(
          weightsFile,
          "adapter was trained on base model '"
              + contents.metadata().getOrDefault(BASE_NAME_KEY, "?")
              + "' (weights sha256 "
              + sha
              + ") but the loaded base is '"
              + base.name()
              + "' (sha256 "
              + base.sha256()
              + ")");
    }
    FloatTensor[][][] tensors = new FloatTensor[config.layers()][LoraTarget.values().length][];
    Map<String, FloatTensor> remaining = new LinkedHashMap<>(contents.tensors());
    for (int layer = 0; layer < config.layers(); layer++) {
      for (LoraTarget t : spec.targets()) {
        tensors[layer][t.ordinal()] =
            new FloatTensor[] {
              take(remaining, weightsFile, name(layer, t, "lora_A")),
              take(remaining, weightsFile, name(layer, t, "lora_B"))
            };
      }
    }
    if (!remaining.isEmpty()) {
      throw new CheckpointException(
          weightsFile,
          "unexpected tensors "
              + remaining.keySet().stream().limit(3).toList()
              + (remaining.size() > 3 ? " and " + (remaining.size() - 3) + " more" : "")
              + " (a deeper model, or modules this module does not adapt)");
    }
    try {
      return LoraAdapter.of(config, spec, tensors, manager);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(
          weightsFile, "does not fit the base model: " + e.getMessage(), e);
    }
  }

  private static LoraSpec readSpec(Path file) {
    try {
      JsonNode c = JSON.readTree(file.toFile());
      if (!"LORA".equals(c.path("peft_type").asText())) {
        throw new CheckpointException(
            file, "peft_type '" + c.path("peft_type").asText() + "' is not LORA");
      }
      if (c.path("use_dora").asBoolean(false)) {
        throw new CheckpointException(file, "DoRA adapters (use_dora) are not supported");
      }
      if (!c.path("bias").asText("none").equals("none")) {
        throw new CheckpointException(
            file, "bias '" + c.path("bias").asText() + "' is not supported, only 'none'");
      }
      for (String unsupported :
          new String[] {
            "modules_to_save", "layers_to_transform", "rank_pattern", "alpha_pattern"
          }) {
        JsonNode v = c.path(unsupported);
        if (!v.isMissingNode() && !v.isNull() && !v.isEmpty()) {
          throw new CheckpointException(file, "'" + unsupported + "' is not supported: " + v);
        }
      }
      JsonNode modules = c.path("target_modules");
      if (!modules.isArray()) {
        throw new CheckpointException(
            file, "target_modules must be a list of module names, was " + modules);
      }
      Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
      for (JsonNode m : modules) {
        targets.add(LoraTarget.fromModuleName(m.asText()));
      }
      return new LoraSpec(
          c.path("r").asInt(),
          (float) c.path("lora_alpha").asDouble(),
          (float) c.path("lora_dropout").asDouble(0),
          targets,
          c.path("use_rslora").asBoolean(false));
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read adapter config: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, e.getMessage(), e);
    }
  }

  private static FloatTensor take(Map<String, FloatTensor> tensors, Path file, String name) {
    FloatTensor tensor = tensors.remove(name);
    if (tensor == null) {
      throw new CheckpointException(
          file, "missing tensor '" + name + "' (fewer layers than the base model?)");
    }
    return tensor;
  }

  /** PEFT's tensor name for one matrix of one wrapped projection. */
  public static String name(int layer, LoraTarget target, String matrix) {
    return PREFIX + layer + "." + target.path() + "." + matrix + ".weight";
  }

  private static FloatTensor toTensor(NDArray array) {
    return new FloatTensor(array.getShape().getShape(), array.toFloatArray());
  }
}
