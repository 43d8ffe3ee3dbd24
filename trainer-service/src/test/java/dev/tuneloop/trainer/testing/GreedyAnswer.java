package dev.tuneloop.trainer.testing;

import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.model.DecodeSession;
import dev.tuneloop.llm.model.LlamaModel;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * The model's greedy reply to one user prompt, straight on a decode session (test-side, no
 * sampler).
 */
public final class GreedyAnswer {

  private GreedyAnswer() {}

  public static String reply(
      LlamaModel model,
      Tokenizer tokenizer,
      ChatTemplate template,
      String prompt,
      LoraSet lora,
      int maxTokens) {
    return tokenizer.decode(tokens(model, tokenizer, template, prompt, lora, maxTokens)).strip();
  }

  /** The reply's token ids, up to EOS (excluded) or maxTokens. */
  public static int[] tokens(
      LlamaModel model,
      Tokenizer tokenizer,
      ChatTemplate template,
      String prompt,
      LoraSet lora,
      int maxTokens) {
    int[] input = template.tokenizePrompt(List.of(ChatMessage.user(prompt)), tokenizer);
    int[] out = new int[maxTokens];
    int n = 0;
    try (DecodeSession session = model.newSession(1, input.length + maxTokens, lora)) {
      float[] logits = session.prefill(new int[][] {input})[0];
      while (n < maxTokens) {
        int next = argmax(logits);
        if (next == tokenizer.eosId()
            || next == tokenizer.bosId()) { // as the LLM core's generator ends
          break;
        }
        out[n++] = next;
        if (n < maxTokens) {
          logits = session.step(next)[0];
        }
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
