package dev.tuneloop.llm.lora;

import dev.tuneloop.llm.model.LlamaConfig;
import java.util.Arrays;

/** A projection that LoRA can wrap, with its PEFT module name and its [out, in] size. */
public enum LoraTarget {
  Q("self_attn", "q_proj"),
  K("self_attn", "k_proj"),
  V("self_attn", "v_proj"),
  O("self_attn", "o_proj"),
  GATE("mlp", "gate_proj"),
  UP("mlp", "up_proj"),
  DOWN("mlp", "down_proj");

  private final String block;
  private final String module;

  LoraTarget(String block, String module) {
    this.block = block;
    this.module = module;
  }

  /** PEFT's {@code target_modules} entry, e.g. {@code q_proj}. */
  public String moduleName() {
    return module;
  }

  /** The module path inside a layer, e.g. {@code self_attn.q_proj}. */
  public String path() {
    return block + "." + module;
  }

  public int inFeatures(LlamaConfig c) {
    return switch (this) {
      case Q, K, V, GATE, UP -> c.dim();
      case O -> c.qDim();
      case DOWN -> c.hiddenDim();
    };
  }

  public int outFeatures(LlamaConfig c) {
    return switch (this) {
      case Q -> c.qDim();
      case K, V -> c.kvDim();
      case O, DOWN -> c.dim();
      case GATE, UP -> c.hiddenDim();
    };
  }

  public static LoraTarget fromModuleName(String name) {
    for (LoraTarget t : values()) {
      if (t.module.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown LoRA target module '"
            + name
            + "' (known: "
            + Arrays.stream(values()).map(LoraTarget::moduleName).toList()
            + ")");
  }
}
