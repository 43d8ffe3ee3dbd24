package dev.tuneloop.trainer.engine;

/**
 * A micro-batch ready for the model, row-major (rows × columns), right-padded with token 0 and loss weight 0.
 * Because padding is on the right and attention is causal, a real token never sees a pad, so no attention mask is
 * needed. Row r predicts {@code targets[r][t]} from {@code inputs[r][0..t]}.
 *
 * @param lossMask 1 where the target is supervised, else 0
 * @param supervisedTokens number of 1s in lossMask
 * @param realTokens tokens that are not padding (for tokens/second)
 */
public record Batch(int rows, int columns, int[] inputs, int[] targets, float[] lossMask, int supervisedTokens,
        int realTokens) {}
