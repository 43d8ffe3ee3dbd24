package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSpec;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.model.FloatTensor;
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

  /**
   * A trainable copy of an existing adapter (a warm start, e.g. from the production version loaded
   * with {@code PeftAdapters.load}): A and B are copied, so before any step it computes exactly
   * what {@code from} computes. The job's LoRA settings apply from then on; when their scaling
   * (alpha / r) differs from the adapter's, B is rescaled so that the product, and the model's
   * output, stay the same.
   *
   * @throws IllegalArgumentException when the rank or the target modules differ from the job's
   */
  public static LlamaLoraTrainable warmStart(LlamaModel base, LoraSettings lora, LoraAdapter from) {
    LoraSpec spec = loraSpec(lora);
    LoraSpec old = from.spec();
    if (old.r() != spec.r() || !old.targets().equals(spec.targets())) {
      throw new IllegalArgumentException(
          "init_from: the adapter to start from has lora_r "
              + old.r()
              + " and target_modules "
              + moduleNames(old)
              + ", but this job has lora_r "
              + spec.r()
              + " and target_modules "
              + moduleNames(spec)
              + "; train with the same rank and modules, or start fresh (init_from \"\")");
    }
    float rescale = old.scaling() / spec.scaling();
    var config = base.config();
    FloatTensor[][][] tensors = new FloatTensor[config.layers()][LoraTarget.values().length][];
    for (int layer = 0; layer < config.layers(); layer++) {
      for (LoraTarget t : spec.targets()) {
        float[] b = from.b(layer, t).toFloatArray();
        if (rescale != 1f) {
          for (int i = 0; i < b.length; i++) {
            b[i] *= rescale;
          }
        }
        tensors[layer][t.ordinal()] =
            new FloatTensor[] {
              FloatTensor.of(
                  from.a(layer, t).toFloatArray(), from.a(layer, t).getShape().getShape()),
              FloatTensor.of(b, from.b(layer, t).getShape().getShape())
            };
      }
    }
    return new LlamaLoraTrainable(base, LoraAdapter.of(config, spec, tensors, base.manager()));
  }

  private static List<String> moduleNames(LoraSpec spec) {
    return spec.targets().stream().sorted().map(LoraTarget::moduleName).toList();
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
