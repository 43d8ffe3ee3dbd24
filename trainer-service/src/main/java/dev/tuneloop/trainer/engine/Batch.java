package dev.tuneloop.trainer.engine;

/**
 * A micro-batch ready for the model: {@code inputs} row-major (rows × columns), right-padded with
 * token 0. Because padding is on the right and attention is causal, a real token never sees a pad,
 * so no attention mask is needed. The loss reads only the supervised positions: {@code labels[i]}
 * is the token that should follow position {@code positions[i]} (a flat index into inputs), so
 * prompts and padding never reach the softmax.
 *
 * @param realTokens tokens that are not padding (for tokens/second)
 */
public record Batch(
    int rows, int columns, int[] inputs, long[] positions, long[] labels, int realTokens) {

  public int supervisedTokens() {
    return positions.length;
  }
}
