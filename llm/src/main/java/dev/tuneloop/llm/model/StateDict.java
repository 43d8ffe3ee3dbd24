package dev.tuneloop.llm.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tensors by their Hugging Face names ({@code model.layers.0.self_attn.q_proj.weight}, ...), in
 * insertion order. Every checkpoint format converts to and from this one naming and layout (rotary
 * half-split, [out][in] matrices).
 */
public final class StateDict {
  private final Map<String, FloatTensor> tensors = new LinkedHashMap<>();

  public StateDict put(String name, FloatTensor tensor) {
    tensors.put(name, tensor);
    return this;
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /** The tensor, checked against the expected shape; fails naming the tensor and both shapes. */
  public FloatTensor require(String name, long... expectedShape) {
    FloatTensor tensor = tensors.get(name);
    if (tensor == null) {
      throw new IllegalArgumentException("missing tensor '" + name + "'");
    }
    if (!Arrays.equals(tensor.shape(), expectedShape)) {
      throw new IllegalArgumentException(
          "tensor '"
              + name
              + "' has shape "
              + tensor.shapeString()
              + ", expected "
              + Arrays.toString(expectedShape));
    }
    return tensor;
  }

  public Map<String, FloatTensor> tensors() {
    return Collections.unmodifiableMap(tensors);
  }

  /** Standard names of a Llama-family checkpoint in Hugging Face layout. */
  public static final class Names {
    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private Names() {}

    public static String layer(int layer, String suffix) {
      return "model.layers." + layer + "." + suffix;
    }
  }
}
