package dev.tuneloop.llm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.tuneloop.llm.lora.LoraSet;
import java.util.Arrays;

/**
 * Incremental decoding of B sequences with a preallocated key/value cache (B, K, maxLen, E) per
 * layer, written in place. Prompts of different lengths are left-padded; padded keys are masked and
 * rotary positions skip them. Each call runs in its own {@link NDScope}, so native memory stays
 * flat however many tokens are decoded; only the last position's logits are computed and copied
 * back. Not thread-safe; close it to free the cache.
 */
public final class DecodeSession implements AutoCloseable {
  private final LlamaModel model;
  private final LlamaConfig config;
  private final int batchSize;
  private final int maxLen;
  private final LoraSet lora;
  private final NDManager manager;
  private final NDArray[] keys; // per layer (B, K, 1, E, maxLen)
  private final NDArray[] values; // per layer (B, K, 1, maxLen, E)
  private final int[][] real; // per sequence, 1 where the position holds a real token
  private boolean anyPadding;
  private int length; // positions filled, S

  DecodeSession(LlamaModel model, int batchSize, int maxLen, LoraSet lora) {
    this.config = model.config();
    if (batchSize < 1 || maxLen < 1 || maxLen > config.maxSeqLen()) {
      throw new IllegalArgumentException(
          "decode session needs batchSize >= 1 and 1 <= maxLen <= "
              + config.maxSeqLen()
              + ", got "
              + batchSize
              + " and "
              + maxLen);
    }
    this.model = model;
    this.batchSize = batchSize;
    this.maxLen = maxLen;
    this.lora = lora;
    this.manager = model.manager().newSubManager();
    this.keys = new NDArray[config.layers()];
    this.values = new NDArray[config.layers()];
    for (int i = 0; i < config.layers(); i++) {
      keys[i] =
          manager.zeros(
              new Shape(batchSize, config.kvHeads(), 1, config.headDim(), maxLen),
              DataType.FLOAT32);
      values[i] =
          manager.zeros(
              new Shape(batchSize, config.kvHeads(), 1, maxLen, config.headDim()),
              DataType.FLOAT32);
    }
    this.real = new int[batchSize][maxLen];
  }

  /**
   * Feeds each sequence's prompt (left-padded to the longest) and returns each one's next-token
   * logits. Every prompt must be non-empty; may be called only on a fresh session.
   */
  public float[][] prefill(int[][] prompts) {
    if (length != 0) {
      throw new IllegalStateException(
          "prefill must come first; session already holds " + length + " positions");
    }
    if (prompts.length != batchSize) {
      throw new IllegalArgumentException(
          "expected " + batchSize + " prompts, got " + prompts.length);
    }
    int t = Arrays.stream(prompts).mapToInt(p -> p.length).max().orElse(0);
    requireRoom(t);
    long[] tokens = new long[batchSize * t];
    for (int n = 0; n < batchSize; n++) {
      int pad = t - prompts[n].length;
      if (prompts[n].length == 0) {
        throw new IllegalArgumentException("prompt " + n + " is empty; start it with at least BOS");
      }
      anyPadding |= pad > 0;
      for (int j = 0; j < prompts[n].length; j++) {
        tokens[n * t + pad + j] = prompts[n][j];
        real[n][pad + j] = 1;
      }
    }
    return run(tokens, t);
  }

  /** Feeds one token per sequence and returns each one's next-token logits (B, V). */
  public float[][] step(int... nextTokens) {
    if (nextTokens.length != batchSize) {
      throw new IllegalArgumentException(
          "expected " + batchSize + " tokens, got " + nextTokens.length);
    }
    requireRoom(1);
    long[] tokens = new long[batchSize];
    for (int n = 0; n < batchSize; n++) {
      tokens[n] = nextTokens[n];
      real[n][length] = 1;
    }
    return run(tokens, 1);
  }

  /** Positions filled so far (including left padding). */
  public int length() {
    return length;
  }

  public int maxLen() {
    return maxLen;
  }

  public int batchSize() {
    return batchSize;
  }

  private float[][] run(long[] tokenIds, int t) {
    int offset = length;
    int s = offset + t;
    int[] mask = flatMask(s);
    try (NDScope ignored = new NDScope()) {
      NDArray tokens = manager.create(tokenIds, new Shape(batchSize, t));
      NDArray positions =
          manager.create(Masks.positions(mask, batchSize, t, offset), new Shape(batchSize, t));
      NDArray bias =
          needsBias(t)
              ? manager.create(
                  Masks.attentionBias(mask, batchSize, t, offset, s, config.slidingWindow()),
                  new Shape(batchSize, 1, 1, t, s))
              : null;
      NDArray logits =
          model.forward(tokens, positions, bias, this::append, lora, false, true); // (B, 1, V)
      float[] flat = logits.toFloatArray();
      length = s;
      float[][] rows = new float[batchSize][];
      int v = config.vocabSize();
      for (int n = 0; n < batchSize; n++) {
        rows[n] = Arrays.copyOfRange(flat, n * v, (n + 1) * v);
      }
      return rows;
    }
  }

  private void requireRoom(int t) {
    if (length + t > maxLen) {
      throw new IllegalStateException(
          "sequence would reach "
              + (length + t)
              + " positions; this session holds at most "
              + maxLen);
    }
  }

  /**
   * A single new position with nothing padded and no window sees every cached key: no bias needed.
   */
  private boolean needsBias(int t) {
    return t > 1
        || anyPadding
        || (config.slidingWindow() > 0 && length + t > config.slidingWindow());
  }

  /**
   * Writes the new positions into the preallocated cache in place and returns views of the filled
   * part.
   */
  private NDArray[] append(int layer, NDArray newKeys, NDArray newValues, long t) {
    int end = length + (int) t;
    NDArrays2.assign(keys[layer], new NDIndex("..., {}:{}", length, end), newKeys);
    NDArrays2.assign(values[layer], new NDIndex(":, :, :, {}:{}", length, end), newValues);
    return new NDArray[] {
      NDArrays2.slice(keys[layer], new NDIndex("..., :{}", end)),
      NDArrays2.slice(values[layer], new NDIndex(":, :, :, :{}", end))
    };
  }

  private int[] flatMask(int s) {
    int[] mask = new int[batchSize * s];
    for (int n = 0; n < batchSize; n++) {
      System.arraycopy(real[n], 0, mask, n * s, s);
    }
    return mask;
  }

  @Override
  public void close() {
    manager.close();
  }
}
