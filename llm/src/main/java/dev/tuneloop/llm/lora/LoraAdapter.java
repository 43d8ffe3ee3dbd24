package dev.tuneloop.llm.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.LlamaModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * One LoRA adapter: for each layer and target projection, A (r, in) and B (out, r), so that the
 * projection becomes {@code W x + scaling * B (A dropout(x))}. Applied as a {@link LoraSet} it
 * updates every sequence of a batch, which is what training wants; A and B require gradients. Owns
 * its native memory.
 */
public final class LoraAdapter implements LoraSet, AutoCloseable {
  private final LlamaConfig config;
  private final LoraSpec spec;
  private final NDManager manager;
  private final NDArray[][] a; // [layer][target] (r, in), null when not targeted
  private final NDArray[][] b; // [layer][target] (out, r)
  // Held, not made per call: autograd keeps the factor of B A x * scaling for the backward pass,
  // and an array made
  // from a Java number shares the JVM's buffer, which is freed once the array is closed or
  // collected.
  private final NDArray scaling;

  private LoraAdapter(LlamaConfig config, LoraSpec spec, NDManager manager) {
    this.config = config;
    this.spec = spec;
    this.manager = manager;
    this.scaling = manager.create(spec.scaling());
    this.a = new NDArray[config.layers()][LoraTarget.values().length];
    this.b = new NDArray[config.layers()][LoraTarget.values().length];
  }

  /**
   * A fresh adapter as PEFT initialises one: A Kaiming-uniform (bound 1/sqrt(in)), B zero, so it
   * starts as the base.
   *
   * @param seed makes A reproducible
   */
  public static LoraAdapter initialize(
      LlamaConfig config, LoraSpec spec, NDManager parent, long seed) {
    LoraAdapter adapter = new LoraAdapter(config, spec, parent.newSubManager());
    Random random = new Random(seed);
    for (int layer = 0; layer < config.layers(); layer++) {
      for (LoraTarget t : sorted(spec)) {
        int in = t.inFeatures(config);
        float bound = (float) (1.0 / Math.sqrt(in));
        float[] values = new float[spec.r() * in];
        for (int i = 0; i < values.length; i++) {
          values[i] = (random.nextFloat() * 2f - 1f) * bound;
        }
        adapter.put(
            layer,
            t,
            FloatTensor.of(values, spec.r(), in),
            FloatTensor.of(
                new float[t.outFeatures(config) * spec.r()], t.outFeatures(config), spec.r()));
      }
    }
    return adapter;
  }

  /**
   * An adapter from given tensors, e.g. read from disk; {@code tensors[layer][target.ordinal()] =
   * {A, B}}.
   */
  public static LoraAdapter of(
      LlamaConfig config, LoraSpec spec, FloatTensor[][][] tensors, NDManager parent) {
    LoraAdapter adapter = new LoraAdapter(config, spec, parent.newSubManager());
    try {
      for (int layer = 0; layer < config.layers(); layer++) {
        for (LoraTarget t : sorted(spec)) {
          FloatTensor[] ab = tensors[layer][t.ordinal()];
          adapter.put(layer, t, ab[0], ab[1]);
        }
      }
      return adapter;
    } catch (RuntimeException e) {
      adapter.close();
      throw e;
    }
  }

  private void put(int layer, LoraTarget t, FloatTensor aTensor, FloatTensor bTensor) {
    int r = spec.r();
    check(layer, t, "lora_A", aTensor, r, t.inFeatures(config));
    check(layer, t, "lora_B", bTensor, t.outFeatures(config), r);
    NDArray aArray = manager.create(aTensor.data(), new Shape(aTensor.shape()));
    NDArray bArray = manager.create(bTensor.data(), new Shape(bTensor.shape()));
    aArray.setRequiresGradient(true);
    bArray.setRequiresGradient(true);
    a[layer][t.ordinal()] = aArray;
    b[layer][t.ordinal()] = bArray;
  }

  private static void check(
      int layer, LoraTarget t, String which, FloatTensor tensor, long rows, long cols) {
    if (tensor == null) {
      throw new IllegalArgumentException(
          "layer " + layer + " " + t.path() + "." + which + " is missing");
    }
    if (tensor.shape().length != 2 || tensor.shape()[0] != rows || tensor.shape()[1] != cols) {
      throw new IllegalArgumentException(
          "layer "
              + layer
              + " "
              + t.path()
              + "."
              + which
              + " has shape "
              + tensor.shapeString()
              + ", expected ["
              + rows
              + ", "
              + cols
              + "]");
    }
  }

  @Override
  public NDArray delta(int layer, LoraTarget target, NDArray input, boolean training) {
    NDArray aArray = a[layer][target.ordinal()];
    if (aArray == null) {
      return null;
    }
    NDArray x =
        training && spec.dropout() > 0f
            ? input.getNDArrayInternal().dropout(input, spec.dropout(), true).singletonOrThrow()
            : input;
    var ex = x.getNDArrayInternal();
    NDArray down = ex.linear(x, aArray, null).singletonOrThrow(); // (B, T, r)
    return down.getNDArrayInternal()
        .linear(down, b[layer][target.ordinal()], null)
        .singletonOrThrow()
        .mul(scaling); // (B, T, out)
  }

  /** A (r, in) of one wrapped projection, or null when it is not a target. */
  public NDArray a(int layer, LoraTarget target) {
    return a[layer][target.ordinal()];
  }

  /** B (out, r) of one wrapped projection, or null when it is not a target. */
  public NDArray b(int layer, LoraTarget target) {
    return b[layer][target.ordinal()];
  }

  /** Every trainable array (A and B of each wrapped projection), in a stable order. */
  public List<NDArray> parameters() {
    List<NDArray> params = new ArrayList<>();
    for (int layer = 0; layer < config.layers(); layer++) {
      for (LoraTarget t : sorted(spec)) {
        params.add(a[layer][t.ordinal()]);
        params.add(b[layer][t.ordinal()]);
      }
    }
    return Collections.unmodifiableList(params);
  }

  /**
   * Adds scaling * B A to the base weights, after which the model alone computes what base +
   * adapter did.
   */
  public void mergeInto(LlamaModel model) {
    applyToBase(model, 1f);
  }

  /** Undoes {@link #mergeInto} (up to float rounding). */
  public void unmergeFrom(LlamaModel model) {
    applyToBase(model, -1f);
  }

  private void applyToBase(LlamaModel model, float sign) {
    for (int layer = 0; layer < config.layers(); layer++) {
      for (LoraTarget t : sorted(spec)) {
        try (NDArray b64 = b(layer, t).stopGradient().toType(DataType.FLOAT64, false);
            NDArray a64 = a(layer, t).stopGradient().toType(DataType.FLOAT64, false);
            NDArray product = b64.matMul(a64);
            NDArray delta = product.mul(sign * (double) spec.scaling())) {
          model.weights().addToProjection(layer, t, delta);
        }
      }
    }
  }

  public LoraSpec spec() {
    return spec;
  }

  public LlamaConfig config() {
    return config;
  }

  /** Parameter count of A and B together. */
  public long parameterCount() {
    return parameters().stream().mapToLong(NDArray::size).sum();
  }

  static List<LoraTarget> sorted(LoraSpec spec) {
    return spec.targets().stream().sorted().toList();
  }

  @Override
  public void close() {
    manager.close();
  }
}
