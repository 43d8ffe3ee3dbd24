package dev.tuneloop.llm.model;

/**
 * The shape of a Llama-family decoder, immutable. Hugging Face names are mapped once, in the
 * checkpoint readers.
 *
 * @param modelType llama, mistral or qwen2
 * @param dim model width D (hidden_size)
 * @param hiddenDim feed-forward width F (intermediate_size)
 * @param layers number of transformer blocks (num_hidden_layers)
 * @param heads query heads H (num_attention_heads)
 * @param kvHeads key/value heads K, dividing H (num_key_value_heads); K &lt; H is grouped-query
 *     attention
 * @param headDim per-head width E (head_dim, usually D / H)
 * @param vocabSize vocabulary V
 * @param maxSeqLen context length (max_position_embeddings)
 * @param normEps RMSNorm epsilon (rms_norm_eps)
 * @param ropeTheta rotary base (rope_theta)
 * @param tiedEmbeddings whether the classifier is the token embedding (tie_word_embeddings)
 * @param attentionBias whether q, k and v projections carry a bias (Qwen2)
 * @param slidingWindow attention window in tokens, or 0 for full causal attention (Mistral)
 */
public record LlamaConfig(
    ModelType modelType,
    int dim,
    int hiddenDim,
    int layers,
    int heads,
    int kvHeads,
    int headDim,
    int vocabSize,
    int maxSeqLen,
    float normEps,
    float ropeTheta,
    boolean tiedEmbeddings,
    boolean attentionBias,
    int slidingWindow) {

  public LlamaConfig {
    require(
        dim > 0 && hiddenDim > 0 && layers > 0 && vocabSize > 0 && maxSeqLen > 0,
        "sizes must be positive");
    require(
        heads > 0 && kvHeads > 0 && heads % kvHeads == 0,
        "heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
    require(headDim > 0 && headDim % 2 == 0, "headDim must be positive and even, was " + headDim);
    require(slidingWindow >= 0, "slidingWindow must be >= 0");
  }

  /** A plain Llama config with head dim D/H, as llama2.c checkpoints describe it. */
  public static LlamaConfig llama(
      int dim,
      int hiddenDim,
      int layers,
      int heads,
      int kvHeads,
      int vocabSize,
      int maxSeqLen,
      boolean tiedEmbeddings) {
    return new LlamaConfig(
        ModelType.LLAMA,
        dim,
        hiddenDim,
        layers,
        heads,
        kvHeads,
        dim / heads,
        vocabSize,
        maxSeqLen,
        1e-5f,
        10000f,
        tiedEmbeddings,
        false,
        0);
  }

  /** Width of all query heads together, H * E. */
  public int qDim() {
    return heads * headDim;
  }

  /** Width of all key (or value) heads together, K * E. */
  public int kvDim() {
    return kvHeads * headDim;
  }

  /** Query heads sharing one key/value head, G = H / K. */
  public int groupSize() {
    return heads / kvHeads;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("invalid LlamaConfig: " + message);
    }
  }
}
