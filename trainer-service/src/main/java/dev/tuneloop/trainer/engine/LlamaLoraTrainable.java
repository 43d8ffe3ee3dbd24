package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSpec;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.model.LlamaModel;
import java.util.List;
import java.util.stream.Collectors;

/** A frozen Llama-family base with one trainable LoRA adapter: the model the trainer fine-tunes. */
public final class LlamaLoraTrainable implements TrainableModel {

  private final LlamaModel base;
  private final LoraAdapter adapter;

  public LlamaLoraTrainable(LlamaModel base, LoraAdapter adapter) {
    this.base = base;
    this.adapter = adapter;
  }

  /**
   * A fresh adapter on {@code base} (A Kaiming-uniform from the job's seed, B zero), owned by the
   * base's manager.
   */
  public static LlamaLoraTrainable initialize(LlamaModel base, LoraSettings lora, long seed) {
    return new LlamaLoraTrainable(
        base,
        LoraAdapter.initialize(
            base.config(), loraSpec(lora), base.manager(), DataOrder.mix(seed, 0x10AL)));
  }

  /** The LLM core's spec for these settings. */
  public static LoraSpec loraSpec(LoraSettings lora) {
    var targets =
        lora.targetModules().stream().map(LoraTarget::fromModuleName).collect(Collectors.toSet());
    return new LoraSpec(
        lora.r(), (float) lora.alpha(), (float) lora.dropout(), targets, lora.useRslora());
  }

  @Override
  public NDArray logits(NDArray inputs, boolean training) {
    return base.logits(
        inputs, null, adapter, training); // right padding + causal attention: no mask needed
  }

  @Override
  public List<NDArray> parameters() {
    return adapter.parameters();
  }

  public LoraAdapter adapter() {
    return adapter;
  }

  public LlamaModel base() {
    return base;
  }
}
