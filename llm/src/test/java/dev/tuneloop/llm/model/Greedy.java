package dev.tuneloop.llm.model;

import dev.tuneloop.llm.lora.LoraSet;

/**
 * A test-side greedy loop straight on a {@link DecodeSession}, independent of the generate package.
 */
public final class Greedy {
  private Greedy() {}

  public static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The prompt followed by {@code steps} greedily chosen tokens. */
  public static int[] decode(LlamaModel model, int[] prompt, int steps, LoraSet lora) {
    int[] out = new int[prompt.length + steps];
    System.arraycopy(prompt, 0, out, 0, prompt.length);
    try (DecodeSession session = model.newSession(1, prompt.length + steps, lora)) {
      float[] logits = session.prefill(new int[][] {prompt})[0];
      for (int i = 0; i < steps; i++) {
        int next = argmax(logits);
        out[prompt.length + i] = next;
        if (i + 1 < steps) {
          logits = session.step(next)[0];
        }
      }
    }
    return out;
  }
}
