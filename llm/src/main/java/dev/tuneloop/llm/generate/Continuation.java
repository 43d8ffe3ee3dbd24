package dev.tuneloop.llm.generate;

import dev.tuneloop.llm.tokenizer.StreamingDecoder;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * One prompt's continuation, token by token, whoever computes the logits: repetition penalty,
 * sampling, EOS, stop sequences, the token budget and streaming to the listener. {@link Generator}
 * drives one, {@link BatchGenerator} one per sequence of a batch, so both decide and emit exactly
 * alike. Not thread-safe.
 */
final class Continuation {
  private final int promptLength;
  private final SamplingParams params;
  private final int budget;
  private final Tokenizer tokenizer;
  private final TokenListener listener;
  private final Sampler sampler;
  private final StopMatcher stops;
  private final StreamingDecoder decoder;
  private final int[] sequence;
  private int generated;
  private FinishReason reason;
  private GenerationResult result;

  /**
   * @param budget the most tokens to generate here (maxTokens, or less where the context is
   *     shorter), at least 1
   */
  Continuation(
      int[] prompt,
      SamplingParams params,
      int budget,
      Tokenizer tokenizer,
      TokenListener listener) {
    this.promptLength = prompt.length;
    this.params = params;
    this.budget = budget;
    this.tokenizer = tokenizer;
    this.listener = listener;
    this.sampler = Sampler.of(params);
    this.stops = new StopMatcher(params.stop());
    this.decoder = tokenizer.streamingDecoder(prompt);
    this.sequence = Arrays.copyOf(prompt, prompt.length + budget);
  }

  /**
   * Checks a prompt against the model's context and returns the budget a lone generation has after
   * it.
   */
  static int budget(int[] prompt, SamplingParams params, int context) {
    if (prompt.length == 0 || prompt.length >= context) {
      throw new IllegalArgumentException(
          "prompt has "
              + prompt.length
              + " tokens; it must have 1 to "
              + (context - 1)
              + " for this model's context of "
              + context);
    }
    return Math.min(params.maxTokens(), context - prompt.length);
  }

  /**
   * Chooses the next token from {@code logits} (which it may modify), emits its text, and returns
   * it; afterwards {@link #done()} tells whether generation has ended (EOS, a stop sequence, or the
   * budget).
   */
  int advance(float[] logits) {
    Generator.penalize(logits, sequence, promptLength + generated, params.repetitionPenalty());
    int next = sampler.sample(logits);
    sequence[promptLength + generated++] = next;
    if (params.stopAtEos() && endsSequence(next)) {
      listener.onToken(next, "");
      reason = FinishReason.EOS;
      return next;
    }
    listener.onToken(next, stops.append(decoder.push(next)));
    if (stops.stopped()) {
      reason = FinishReason.STOP_SEQUENCE;
    } else if (generated == budget) {
      reason = FinishReason.LENGTH;
    }
    return next;
  }

  /** Ends generation before the next token. */
  void cancel() {
    if (reason == null) {
      reason = FinishReason.CANCELLED;
    }
  }

  boolean done() {
    return reason != null;
  }

  /**
   * Releases text still held back to the listener (once) and returns the result; call when done.
   */
  GenerationResult finish() {
    if (result == null) {
      if (!stops.stopped()) {
        String rest = stops.finish(decoder.finish());
        if (!rest.isEmpty()) {
          listener.onToken(-1, rest);
        }
      }
      int[] tokens = Arrays.copyOfRange(sequence, promptLength, promptLength + generated);
      result =
          new GenerationResult(
              stops.text(),
              tokens,
              reason == null ? FinishReason.LENGTH : reason,
              new Usage(promptLength, generated));
    }
    return result;
  }

  /** EOS, or a generated BOS: llama2.c models separate stories with BOS and never emit EOS. */
  private boolean endsSequence(int token) {
    return token == tokenizer.eosId() || token == tokenizer.bosId();
  }
}
