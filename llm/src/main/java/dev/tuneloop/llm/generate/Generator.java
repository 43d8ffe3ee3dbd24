package dev.tuneloop.llm.generate;

import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.model.DecodeSession;
import dev.tuneloop.llm.model.LlamaModel;
import dev.tuneloop.llm.tokenizer.Tokenizer;

/**
 * Generates a continuation of one prompt: prefill, then one token at a time through a {@link
 * DecodeSession}, with repetition penalty, sampling, EOS, stop sequences and a token budget;
 * streams text to a listener. Thread-safe: each call has its own session.
 */
public final class Generator {
  private final LlamaModel model;
  private final Tokenizer tokenizer;

  public Generator(LlamaModel model, Tokenizer tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
  }

  public Generator(LoadedModel loaded) {
    this(loaded.model(), loaded.tokenizer());
  }

  /** Encodes {@code prompt} (with BOS when the model's sequences start with it) and generates. */
  public GenerationResult generate(
      String prompt, SamplingParams params, LoraSet adapter, TokenListener listener) {
    int[] ids = tokenizer.encode(prompt);
    if (tokenizer.addsBos()) {
      int[] withBos = new int[ids.length + 1];
      withBos[0] = tokenizer.bosId();
      System.arraycopy(ids, 0, withBos, 1, ids.length);
      ids = withBos;
    }
    return generate(ids, params, adapter, listener);
  }

  /**
   * Generates after {@code prompt} (token ids, including BOS if wanted).
   *
   * @param adapter LoraSet.NONE for the base model, or an adapter
   * @param listener receives text as it is released; use TokenListener.NONE to ignore
   */
  public GenerationResult generate(
      int[] prompt, SamplingParams params, LoraSet adapter, TokenListener listener) {
    int budget = Continuation.budget(prompt, params, model.config().maxSeqLen());
    Continuation continuation = new Continuation(prompt, params, budget, tokenizer, listener);
    try (DecodeSession session = model.newSession(1, prompt.length + budget, adapter)) {
      float[] logits = session.prefill(new int[][] {prompt})[0];
      while (true) {
        if (Thread.currentThread().isInterrupted()) {
          continuation.cancel();
          break;
        }
        int next = continuation.advance(logits);
        if (continuation.done()) {
          break;
        }
        logits = session.step(next)[0];
      }
    }
    return continuation.finish();
  }

  /** CTRL-style repetition penalty over every token seen so far (prompt and generated). */
  static void penalize(float[] logits, int[] sequence, int length, float penalty) {
    if (penalty == 1f) {
      return;
    }
    boolean[] seen = new boolean[logits.length];
    for (int i = 0; i < length; i++) {
      int id = sequence[i];
      if (id >= 0 && id < logits.length && !seen[id]) {
        seen[id] = true;
        logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
      }
    }
  }
}
