package dev.tuneloop.llm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.lora.LoraTarget;

/**
 * A Llama-family decoder (Llama, Mistral, Qwen2) on DJL NDArrays.
 *
 * <p>Shape letters: B batch, T new positions, S attended positions (cached + new), D model width, H
 * query heads, K key/value heads, G = H/K query heads per key/value head, E head width, F
 * feed-forward width, V vocabulary.
 *
 * <p>One {@link #forward} serves training (whole sequences, no cache) and decoding (a few new
 * positions against a {@link KvCache}). Base weights never require gradients, so DJL autograd
 * differentiates only LoRA parameters.
 */
public final class LlamaModel implements AutoCloseable {
  private static final int[] LAST_AXIS = {-1};

  private final LlamaConfig config;
  private final LlamaWeights weights;
  private final Rope rope;
  private final NDManager manager;
  // scalars as arrays, created once: a Java number would become a new native tensor on every call
  private final NDArray normEps;
  private final NDArray minusHalf;
  private final NDArray attentionScale; // sqrt(E), dividing scores as the reference does
  private final RowSplitLinear split; // decoding's large projections on two threads

  /**
   * A model over {@code weights}, which it owns from now on. Decoding splits projections of at
   * least {@code -Dtuneloop.decode.splitMinBytes} (default 1 MiB) across two threads; see {@link
   * RowSplitLinear}.
   */
  public LlamaModel(LlamaWeights weights) {
    this(weights, RowSplitLinear.configuredMinBytes());
  }

  /**
   * As {@link #LlamaModel(LlamaWeights)}, splitting projections of at least {@code splitMinBytes}
   * (0: none).
   */
  LlamaModel(LlamaWeights weights, long splitMinBytes) {
    this.config = weights.config();
    this.weights = weights;
    this.manager = weights.manager().newSubManager();
    this.rope = new Rope(config, manager);
    this.normEps = manager.create(config.normEps());
    this.minusHalf = manager.create(-0.5f);
    this.attentionScale = manager.create((float) Math.sqrt(config.headDim()));
    this.split = RowSplitLinear.of(weights, splitMinBytes);
  }

  /** Whether decoding splits some projection across two threads. */
  boolean splitsDecoding() {
    return split.active();
  }

  public LlamaConfig config() {
    return config;
  }

  public LlamaWeights weights() {
    return weights;
  }

  public NDManager manager() {
    return manager;
  }

  /**
   * Training forward: logits for every position of a batch.
   *
   * @param tokens (B, T) token ids, any integer type
   * @param paddingMask (B, T), nonzero for real tokens and 0 for padding (left or right), or null
   *     for none. Padded keys are never attended to; positions count real tokens only.
   * @param lora adapters to apply (LoraSet.NONE for the base model)
   * @param training enables LoRA dropout
   * @return (B, T, V) float32 logits, attached to the manager of {@code tokens}; intermediates are
   *     freed
   */
  public NDArray logits(NDArray tokens, NDArray paddingMask, LoraSet lora, boolean training) {
    Shape shape = tokens.getShape();
    int b = (int) shape.get(0);
    int t = (int) shape.get(1);
    NDManager caller = tokens.getManager();
    try (NDScope ignored = new NDScope()) {
      int[] mask =
          paddingMask == null ? null : paddingMask.toType(DataType.INT32, false).toIntArray();
      NDArray ids = tokens.toType(DataType.INT64, false);
      NDArray positions = caller.create(Masks.positions(mask, b, t, 0), new Shape(b, t));
      float[] bias = Masks.attentionBias(mask, b, t, 0, t, config.slidingWindow());
      NDArray biasArray = caller.create(bias, new Shape(b, 1, 1, t, t));
      NDArray logits = forward(ids, positions, biasArray, null, lora, training, false);
      NDScope.unregister(logits);
      logits.attach(caller);
      return logits;
    }
  }

  /**
   * Opens an incremental decoding session with a preallocated KV cache; see {@link DecodeSession}.
   */
  public DecodeSession newSession(int batchSize, int maxLen, LoraSet lora) {
    return new DecodeSession(this, batchSize, maxLen, lora);
  }

  /**
   * The decoder.
   *
   * @param tokens (B, T) int64
   * @param positions (B, T) int64 rotary positions
   * @param bias additive attention bias (B, 1, 1, T, S), or null when every key may be attended
   * @param cache earlier keys and values, or null when the T positions are the whole sequence
   * @param lastOnly whether to compute logits only for the last position (decoding)
   * @return (B, T, V) logits, or (B, 1, V) when lastOnly
   */
  NDArray forward(
      NDArray tokens,
      NDArray positions,
      NDArray bias,
      KvCache cache,
      LoraSet lora,
      boolean training,
      boolean lastOnly) {
    Shape shape = tokens.getShape();
    long b = shape.get(0);
    long t = shape.get(1);
    NDArray x =
        tokens
            .getNDArrayInternal()
            .embedding(tokens, weights.tokenEmbedding(), SparseFormat.DENSE)
            .singletonOrThrow(); // (B, T, D)
    NDArray[] rotary = rope.tables(positions); // (B, T, 1, E) x2
    boolean decoding =
        cache != null && t == 1; // one row per sequence: PyTorch's linear uses one thread
    for (int layer = 0; layer < config.layers(); layer++) {
      LlamaWeights.Layer w = weights.layer(layer);
      x =
          x.add(
              attention(
                  layer,
                  w,
                  rmsNorm(x, w.attnNorm()),
                  b,
                  t,
                  rotary,
                  bias,
                  cache,
                  lora,
                  training,
                  decoding));
      x = x.add(mlp(layer, w, rmsNorm(x, w.ffnNorm()), b, t, lora, training, decoding));
    }
    if (lastOnly && t > 1) {
      x = x.get(":, -1:, :"); // (B, 1, D)
    }
    return project(
        rmsNorm(x, weights.finalNorm()), weights.classifier(), null, decoding); // (B, T, V)
  }

  /**
   * Grouped-query attention. Keys are laid out (B, K, 1, E, S) and values (B, K, 1, S, E), so that
   * queries grouped as (B, K, G, T, E) meet them in two broadcasting matmuls without copies; the KV
   * cache stores them that way.
   */
  private NDArray attention(
      int layer,
      LlamaWeights.Layer w,
      NDArray h,
      long b,
      long t,
      NDArray[] rotary,
      NDArray bias,
      KvCache cache,
      LoraSet lora,
      boolean training,
      boolean decoding) {
    int e = config.headDim();
    int heads = config.heads();
    int kvHeads = config.kvHeads();
    NDArray qkvFused =
        withLora(
            project(h, w.wqkv(), w.bqkv(), decoding),
            layer,
            h,
            b,
            t,
            lora,
            training,
            LoraTarget.Q,
            LoraTarget.K,
            LoraTarget.V); // (B, T, H*E + 2*K*E)
    NDList qkAndV = qkvFused.split(new long[] {config.qDim() + config.kvDim()}, 2);
    NDArray qk =
        rope.apply(
            qkAndV.get(0).reshape(b, t, heads + kvHeads, e),
            rotary); // (B, T, H+K, E), rotated together
    NDList qAndK = qk.split(new long[] {heads}, 2);
    NDArray q = qAndK.get(0); // (B, T, H, E)
    NDArray k = qAndK.get(1); // (B, T, K, E)
    NDArray v = qkAndV.get(1); // (B, T, K*E)
    NDArray qg; // (B, K, G, T, E)
    NDArray keys; // (B, K, 1, E, S)
    NDArray values; // (B, K, 1, S, E)
    if (t == 1) { // one position: the head-major layouts are mere reshapes
      qg = q.reshape(b, kvHeads, config.groupSize(), 1, e);
      keys = k.reshape(b, kvHeads, 1, e, 1);
      values = v.reshape(b, kvHeads, 1, 1, e);
    } else {
      qg = q.transpose(0, 2, 1, 3).reshape(b, kvHeads, config.groupSize(), t, e);
      keys = k.transpose(0, 2, 3, 1).expandDims(2);
      values = v.reshape(b, t, kvHeads, e).transpose(0, 2, 1, 3).expandDims(2);
    }
    if (cache != null) {
      NDArray[] all = cache.append(layer, keys, values, t);
      keys = all[0];
      values = all[1];
    }
    NDArray scores = qg.matMul(keys).div(attentionScale); // (B, K, G, T, S)
    if (bias != null) {
      scores = scores.add(bias);
    }
    NDArray heads5 = scores.softmax(-1).matMul(values); // (B, K, G, T, E)
    NDArray att =
        t == 1
            ? heads5.reshape(b, 1, config.qDim())
            : heads5
                .reshape(b, heads, t, e)
                .transpose(0, 2, 1, 3)
                .reshape(b, t, config.qDim()); // (B, T, H*E)
    return withLora(
        project(att, w.wo(), null, decoding),
        layer,
        att,
        b,
        t,
        lora,
        training,
        LoraTarget.O); // (B, T, D)
  }

  private NDArray mlp(
      int layer,
      LlamaWeights.Layer w,
      NDArray h,
      long b,
      long t,
      LoraSet lora,
      boolean training,
      boolean decoding) {
    NDList gateUp =
        withLora(
                project(h, w.w13(), null, decoding),
                layer,
                h,
                b,
                t,
                lora,
                training,
                LoraTarget.GATE,
                LoraTarget.UP)
            .split(2, 2); // (B, T, F) x2
    NDArray gate = gateUp.get(0);
    NDArray up = gateUp.get(1);
    NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up); // SwiGLU (B, T, F)
    return withLora(
        project(act, w.w2(), null, decoding),
        layer,
        act,
        b,
        t,
        lora,
        training,
        LoraTarget.DOWN); // (B, T, D)
  }

  /** RMSNorm: x / sqrt(mean(x^2) + eps) * weight, over the last axis. */
  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray inverseRms = x.square().mean(LAST_AXIS, true).add(normEps).pow(minusHalf);
    return x.mul(inverseRms).mul(weight);
  }

  private NDArray project(NDArray x, NDArray weight, NDArray bias, boolean decoding) {
    return decoding ? split.linear(x, weight, bias) : linear(x, weight, bias);
  }

  static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
  }

  /**
   * Adds the LoRA updates of the projections fused in {@code base} (in their fused order) to it.
   * The sum is taken on the fused output, so the layout downstream is the same with or without an
   * adapter, and a zero update leaves the result bit for bit unchanged.
   */
  private NDArray withLora(
      NDArray base,
      int layer,
      NDArray input,
      long b,
      long t,
      LoraSet lora,
      boolean training,
      LoraTarget... fused) {
    NDArray[] deltas = new NDArray[fused.length];
    boolean any = false;
    for (int i = 0; i < fused.length; i++) {
      deltas[i] = lora.delta(layer, fused[i], input, training);
      any |= deltas[i] != null;
    }
    if (!any) {
      return base;
    }
    if (fused.length == 1) {
      return base.add(deltas[0]);
    }
    NDList parts = new NDList(fused.length);
    for (int i = 0; i < fused.length; i++) {
      parts.add(
          deltas[i] != null
              ? deltas[i]
              : base.getManager()
                  .zeros(new Shape(b, t, fused[i].outFeatures(config)), base.getDataType()));
    }
    return base.add(NDArrays.concat(parts, 2));
  }

  @Override
  public void close() {
    split.close();
    manager.close();
    weights.close();
  }
}
