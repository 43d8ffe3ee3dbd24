package dev.tuneloop.llm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.ModelType;
import dev.tuneloop.llm.model.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Hugging Face checkpoint directory: {@code config.json} and {@code model.safetensors}, or shards
 * listed by {@code model.safetensors.index.json}. Hugging Face names are mapped to {@link
 * LlamaConfig} here and only here.
 */
public final class HfCheckpoint {
  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String INDEX = "model.safetensors.index.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private HfCheckpoint() {}

  public static CheckpointContents read(Path dir) {
    LlamaConfig config = readConfig(dir.resolve(CONFIG));
    StateDict weights = new StateDict();
    if (Files.isRegularFile(dir.resolve(WEIGHTS))) {
      Safetensors.read(dir.resolve(WEIGHTS)).tensors().forEach(weights::put);
    } else if (Files.isRegularFile(dir.resolve(INDEX))) {
      for (String shard : shards(dir.resolve(INDEX))) {
        Safetensors.read(dir.resolve(shard)).tensors().forEach(weights::put);
      }
    } else {
      String hint =
          Files.exists(dir.resolve("pytorch_model.bin"))
              ? " (pytorch_model.bin is not supported: convert it to safetensors)"
              : "";
      throw new CheckpointException(dir, "no " + WEIGHTS + " or " + INDEX + hint);
    }
    return new CheckpointContents(config, weights);
  }

  /**
   * Reads {@code config.json}, refusing unknown model types and features this model does not
   * implement.
   */
  public static LlamaConfig readConfig(Path file) {
    JsonNode c;
    try {
      c = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read config: " + e.getMessage(), e);
    }
    try {
      if (!c.path("model_type").isTextual()) {
        throw new IllegalArgumentException("missing model_type");
      }
      ModelType type = ModelType.fromHfName(c.get("model_type").asText());
      JsonNode scaling = c.path("rope_scaling");
      if (!scaling.isMissingNode() && !scaling.isNull()) {
        throw new IllegalArgumentException("rope_scaling " + scaling + " is not supported");
      }
      int dim = required(c, "hidden_size");
      int heads = required(c, "num_attention_heads");
      boolean windowed =
          type == ModelType.MISTRAL
              || (type == ModelType.QWEN2 && c.path("use_sliding_window").asBoolean(false));
      return new LlamaConfig(
          type,
          dim,
          required(c, "intermediate_size"),
          required(c, "num_hidden_layers"),
          heads,
          c.path("num_key_value_heads").asInt(heads),
          c.path("head_dim").asInt(dim / heads),
          required(c, "vocab_size"),
          c.path("max_position_embeddings").asInt(2048),
          (float) c.path("rms_norm_eps").asDouble(1e-6),
          (float) c.path("rope_theta").asDouble(10000),
          c.path("tie_word_embeddings").asBoolean(false),
          type == ModelType.QWEN2 || c.path("attention_bias").asBoolean(false),
          windowed ? c.path("sliding_window").asInt(0) : 0);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, e.getMessage(), e);
    }
  }

  private static int required(JsonNode c, String field) {
    if (!c.path(field).canConvertToInt()) {
      throw new IllegalArgumentException("missing or non-integer '" + field + "'");
    }
    return c.get(field).asInt();
  }

  private static TreeSet<String> shards(Path index) {
    try {
      JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
      if (!map.isObject()) {
        throw new CheckpointException(index, "no weight_map object");
      }
      TreeSet<String> files = new TreeSet<>();
      for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
        files.add(it.next().asText());
      }
      return files;
    } catch (IOException e) {
      throw new CheckpointException(index, "cannot read shard index: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code config.json} and {@code model.safetensors}.
   *
   * @param bosId and {@code eosId} go into config.json, as Hugging Face tools expect
   */
  public static void write(
      Path dir, LlamaConfig c, StateDict weights, Safetensors.DType dtype, int bosId, int eosId)
      throws IOException {
    Files.createDirectories(dir);
    ObjectNode json = JSON.createObjectNode();
    String arch =
        switch (c.modelType()) {
          case LLAMA -> "LlamaForCausalLM";
          case MISTRAL -> "MistralForCausalLM";
          case QWEN2 -> "Qwen2ForCausalLM";
        };
    json.putArray("architectures").add(arch);
    json.put("model_type", c.modelType().hfName());
    json.put("hidden_size", c.dim());
    json.put("intermediate_size", c.hiddenDim());
    json.put("num_hidden_layers", c.layers());
    json.put("num_attention_heads", c.heads());
    json.put("num_key_value_heads", c.kvHeads());
    json.put("head_dim", c.headDim());
    json.put("vocab_size", c.vocabSize());
    json.put("max_position_embeddings", c.maxSeqLen());
    json.put("rms_norm_eps", c.normEps());
    json.put("rope_theta", c.ropeTheta());
    json.put("tie_word_embeddings", c.tiedEmbeddings());
    json.put("hidden_act", "silu");
    if (c.modelType() == ModelType.LLAMA) {
      json.put("attention_bias", c.attentionBias());
    }
    if (c.modelType() == ModelType.QWEN2) {
      json.put("use_sliding_window", c.slidingWindow() > 0);
    }
    if (c.slidingWindow() > 0) {
      json.put("sliding_window", c.slidingWindow());
    } else if (c.modelType() != ModelType.LLAMA) {
      json.putNull("sliding_window");
    }
    json.put("bos_token_id", bosId);
    json.put("eos_token_id", eosId);
    json.put(
        "torch_dtype",
        switch (dtype) {
          case F32 -> "float32";
          case F16 -> "float16";
          case BF16 -> "bfloat16";
        });
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG).toFile(), json);
    Map<String, FloatTensor> tensors = weights.tensors();
    Safetensors.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"), dtype);
  }
}
