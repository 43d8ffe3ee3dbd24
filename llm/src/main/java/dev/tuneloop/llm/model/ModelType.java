package dev.tuneloop.llm.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The Llama-family variants this module runs; each differs from plain Llama only in a flag or two
 * of {@link LlamaConfig}.
 */
public enum ModelType {
  /** Llama 1/2/3 and llama2.c checkpoints. */
  LLAMA,
  /** Mistral: Llama plus an optional sliding attention window. */
  MISTRAL,
  /** Qwen2: Llama plus biases on the q, k and v projections. */
  QWEN2;

  /** The value of {@code model_type} in a Hugging Face {@code config.json}. */
  public String hfName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Maps a {@code model_type} string; refuses anything else with the list of supported types. */
  public static ModelType fromHfName(String modelType) {
    for (ModelType type : values()) {
      if (type.hfName().equals(modelType)) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "unsupported model_type '"
            + modelType
            + "' (supported: "
            + Arrays.stream(values()).map(ModelType::hfName).toList()
            + ")");
  }
}
