package dev.tuneloop.llm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.model.StateDict.Names;
import java.util.ArrayList;
import java.util.List;

/**
 * The frozen base weights in native memory, fused for speed: q, k and v stacked into one (qDim + 2
 * kvDim, D) matrix, gate and up into one (2F, D) matrix, so each block runs two matmuls where the
 * paper draws five. Matrices keep PyTorch's [out][in] layout, which {@code linear} consumes
 * directly. Owns its {@link NDManager}.
 */
public final class LlamaWeights implements AutoCloseable {

  /**
   * One transformer block.
   *
   * @param attnNorm RMSNorm weight before attention (D)
   * @param wqkv fused q, k, v projection (qDim + 2 kvDim, D)
   * @param bqkv fused q, k, v bias (qDim + 2 kvDim), or null
   * @param wo attention output projection (D, qDim)
   * @param ffnNorm RMSNorm weight before the MLP (D)
   * @param w13 fused gate and up projection (2F, D)
   * @param w2 down projection (D, F)
   */
  public record Layer(
      NDArray attnNorm,
      NDArray wqkv,
      NDArray bqkv,
      NDArray wo,
      NDArray ffnNorm,
      NDArray w13,
      NDArray w2) {}

  private final NDManager manager;
  private final LlamaConfig config;
  private final NDArray tokenEmbedding; // (V, D)
  private final List<Layer> layers;
  private final NDArray finalNorm; // (D)
  private final NDArray classifier; // (V, D); the embedding itself when tied

  private LlamaWeights(
      NDManager manager,
      LlamaConfig config,
      NDArray tokenEmbedding,
      List<Layer> layers,
      NDArray finalNorm,
      NDArray classifier) {
    this.manager = manager;
    this.config = config;
    this.tokenEmbedding = tokenEmbedding;
    this.layers = List.copyOf(layers);
    this.finalNorm = finalNorm;
    this.classifier = classifier;
  }

  /**
   * Copies a state dict (Hugging Face names and layout) into native memory, checking every name and
   * shape.
   */
  public static LlamaWeights fromStateDict(LlamaConfig c, StateDict sd, NDManager parent) {
    NDManager manager = parent.newSubManager();
    try {
      NDArray embedding = create(manager, sd.require(Names.EMBED, c.vocabSize(), c.dim()));
      List<Layer> layers = new ArrayList<>();
      for (int i = 0; i < c.layers(); i++) {
        layers.add(layer(manager, c, sd, i));
      }
      NDArray norm = create(manager, sd.require(Names.FINAL_NORM, c.dim()));
      NDArray classifier =
          c.tiedEmbeddings()
              ? embedding
              : create(manager, sd.require(Names.LM_HEAD, c.vocabSize(), c.dim()));
      return new LlamaWeights(manager, c, embedding, layers, norm, classifier);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static Layer layer(NDManager m, LlamaConfig c, StateDict sd, int i) {
    NDArray wq =
        create(m, sd.require(Names.layer(i, "self_attn.q_proj.weight"), c.qDim(), c.dim()));
    NDArray wk =
        create(m, sd.require(Names.layer(i, "self_attn.k_proj.weight"), c.kvDim(), c.dim()));
    NDArray wv =
        create(m, sd.require(Names.layer(i, "self_attn.v_proj.weight"), c.kvDim(), c.dim()));
    NDArray bqkv = null;
    if (c.attentionBias()) {
      bqkv =
          NDArrays.concat(
              new ai.djl.ndarray.NDList(
                  create(m, sd.require(Names.layer(i, "self_attn.q_proj.bias"), c.qDim())),
                  create(m, sd.require(Names.layer(i, "self_attn.k_proj.bias"), c.kvDim())),
                  create(m, sd.require(Names.layer(i, "self_attn.v_proj.bias"), c.kvDim()))),
              0);
    }
    NDArray gate =
        create(m, sd.require(Names.layer(i, "mlp.gate_proj.weight"), c.hiddenDim(), c.dim()));
    NDArray up =
        create(m, sd.require(Names.layer(i, "mlp.up_proj.weight"), c.hiddenDim(), c.dim()));
    Layer layer =
        new Layer(
            create(m, sd.require(Names.layer(i, "input_layernorm.weight"), c.dim())),
            NDArrays.concat(new ai.djl.ndarray.NDList(wq, wk, wv), 0),
            bqkv,
            create(m, sd.require(Names.layer(i, "self_attn.o_proj.weight"), c.dim(), c.qDim())),
            create(m, sd.require(Names.layer(i, "post_attention_layernorm.weight"), c.dim())),
            NDArrays.concat(new ai.djl.ndarray.NDList(gate, up), 0),
            create(m, sd.require(Names.layer(i, "mlp.down_proj.weight"), c.dim(), c.hiddenDim())));
    wq.close();
    wk.close();
    wv.close();
    gate.close();
    up.close();
    return layer;
  }

  /** The weights back in Hugging Face names and layout (unfused), e.g. for export. */
  public StateDict toStateDict() {
    LlamaConfig c = config;
    StateDict sd = new StateDict();
    sd.put(Names.EMBED, toTensor(tokenEmbedding));
    for (int i = 0; i < c.layers(); i++) {
      Layer l = layers.get(i);
      sd.put(Names.layer(i, "input_layernorm.weight"), toTensor(l.attnNorm()));
      sd.put(Names.layer(i, "self_attn.q_proj.weight"), rows(l.wqkv(), 0, c.qDim()));
      sd.put(
          Names.layer(i, "self_attn.k_proj.weight"),
          rows(l.wqkv(), c.qDim(), c.qDim() + c.kvDim()));
      sd.put(
          Names.layer(i, "self_attn.v_proj.weight"),
          rows(l.wqkv(), c.qDim() + c.kvDim(), c.qDim() + 2 * c.kvDim()));
      if (l.bqkv() != null) {
        sd.put(Names.layer(i, "self_attn.q_proj.bias"), rows(l.bqkv(), 0, c.qDim()));
        sd.put(
            Names.layer(i, "self_attn.k_proj.bias"),
            rows(l.bqkv(), c.qDim(), c.qDim() + c.kvDim()));
        sd.put(
            Names.layer(i, "self_attn.v_proj.bias"),
            rows(l.bqkv(), c.qDim() + c.kvDim(), c.qDim() + 2 * c.kvDim()));
      }
      sd.put(Names.layer(i, "self_attn.o_proj.weight"), toTensor(l.wo()));
      sd.put(Names.layer(i, "post_attention_layernorm.weight"), toTensor(l.ffnNorm()));
      sd.put(Names.layer(i, "mlp.gate_proj.weight"), rows(l.w13(), 0, c.hiddenDim()));
      sd.put(Names.layer(i, "mlp.up_proj.weight"), rows(l.w13(), c.hiddenDim(), 2 * c.hiddenDim()));
      sd.put(Names.layer(i, "mlp.down_proj.weight"), toTensor(l.w2()));
    }
    sd.put(Names.FINAL_NORM, toTensor(finalNorm));
    if (!c.tiedEmbeddings()) {
      sd.put(Names.LM_HEAD, toTensor(classifier));
    }
    return sd;
  }

  /**
   * Adds {@code delta} (out, in), float32 or float64, to one projection in place, finding its rows
   * inside the fused matrices; used to merge and unmerge LoRA adapters.
   */
  public void addToProjection(int layer, LoraTarget target, NDArray delta) {
    Layer l = layers.get(layer);
    int q = config.qDim(), kv = config.kvDim(), f = config.hiddenDim();
    NDArray matrix =
        switch (target) {
          case Q, K, V -> l.wqkv();
          case O -> l.wo();
          case GATE, UP -> l.w13();
          case DOWN -> l.w2();
        };
    int from =
        switch (target) {
          case Q, O, GATE, DOWN -> 0;
          case K -> q;
          case V -> q + kv;
          case UP -> f;
        };
    NDIndex rows = new NDIndex("{}:{}", from, from + target.outFeatures(config));
    try (NDArray current = matrix.get(rows);
        NDArray wide = current.toType(DataType.FLOAT64, false);
        NDArray sum = wide.add(delta.toType(DataType.FLOAT64, false));
        NDArray updated = sum.toType(DataType.FLOAT32, false)) {
      matrix.set(rows, updated); // summed in float64, so the merged weight is rounded once
    }
  }

  public LlamaConfig config() {
    return config;
  }

  public NDManager manager() {
    return manager;
  }

  public NDArray tokenEmbedding() {
    return tokenEmbedding;
  }

  public Layer layer(int i) {
    return layers.get(i);
  }

  public NDArray finalNorm() {
    return finalNorm;
  }

  public NDArray classifier() {
    return classifier;
  }

  /** Total number of parameters (a tied classifier counted once). */
  public long parameterCount() {
    long n =
        tokenEmbedding.size()
            + finalNorm.size()
            + (config.tiedEmbeddings() ? 0 : classifier.size());
    for (Layer l : layers) {
      n +=
          l.attnNorm().size()
              + l.wqkv().size()
              + (l.bqkv() == null ? 0 : l.bqkv().size())
              + l.wo().size()
              + l.ffnNorm().size()
              + l.w13().size()
              + l.w2().size();
    }
    return n;
  }

  @Override
  public void close() {
    manager.close();
  }

  static NDArray create(NDManager m, FloatTensor t) {
    return m.create(t.data(), new Shape(t.shape()));
  }

  private static FloatTensor toTensor(NDArray a) {
    return new FloatTensor(a.getShape().getShape(), a.toFloatArray());
  }

  private static FloatTensor rows(NDArray a, long from, long to) {
    try (NDArray slice = a.get(new NDIndex("{}:{}", from, to))) {
      return toTensor(slice);
    }
  }
}
