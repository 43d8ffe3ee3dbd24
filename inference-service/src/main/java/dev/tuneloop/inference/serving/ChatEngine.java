package dev.tuneloop.inference.serving;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.FinishReason;
import dev.tuneloop.proto.v1.SamplingParams;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Chat generations on the base model, several at once, each through its own adapter or none. */
public interface ChatEngine {

  /**
   * Renders the conversation with the template and tokenizes it; a conversation that does not fit
   * the template or the context fails here, before anything is queued.
   *
   * @param chatTemplate the template the adapter was trained with, or empty for the model's default
   */
  Prompt prepare(List<ChatMessage> messages, String chatTemplate, SamplingParams params);

  /** Generates the batch together; the outcomes are in the batch's order. */
  List<Outcome> generate(List<Generation> batch);

  /**
   * One generation of a batch.
   *
   * @param adapterSlot the adapter's slot among the resident ones (0 = the base model)
   * @param onText receives the answer's text piece by piece, as generated
   * @param cancelled polled per token; true stops this generation
   */
  record Generation(
      Prompt prompt, int adapterSlot, TextListener onText, BooleanSupplier cancelled) {}

  /** Pieces of the answer, in order; their concatenation is the answer's text. */
  @FunctionalInterface
  interface TextListener {
    void onText(String piece);
  }

  /** How a generation ended. {@code cancelled}: the client went away before the end. */
  record Outcome(
      String text,
      FinishReason finishReason,
      int promptTokens,
      int completionTokens,
      boolean cancelled) {}
}
