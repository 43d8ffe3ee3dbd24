package dev.tuneloop.llm.chat;

import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.util.List;

/**
 * Turns a conversation into model text. Training and serving must use the same template: training
 * tokenizes with {@link #tokenizeForTraining}, serving with {@link #tokenizePrompt}, and both go
 * through the same rendering.
 *
 * <p>{@link #bosToken()} and {@link #eosToken()} are the texts this template writes for BOS and
 * EOS; tokenization maps them to the model tokenizer's own BOS and EOS ids.
 */
public interface ChatTemplate {

  /**
   * A stable name to record with an adapter ({@code chatml}, {@code llama2}, {@code alpaca}, {@code
   * jinja-…}).
   */
  String name();

  /** The text and the supervised spans (assistant content and end markers) of a conversation. */
  RenderedChat renderWithSpans(List<ChatMessage> messages, boolean addGenerationPrompt);

  /**
   * The text of a conversation; with {@code addGenerationPrompt}, ending where the assistant's
   * reply begins.
   */
  default String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    return renderWithSpans(messages, addGenerationPrompt).text();
  }

  String bosToken();

  String eosToken();

  /** The marker strings this template writes (for detecting them injected in user content). */
  TemplateDelimiters delimiters();

  /**
   * Text that, once generated, ends the assistant's turn (in addition to the tokenizer's EOS id).
   */
  List<String> stopSequences();

  /**
   * Training input: every assistant turn's content and end marker are supervised; the rest only
   * when {@code trainOnInputs}. Starts with BOS when the tokenizer's model expects it.
   */
  default TokenizedChat tokenizeForTraining(
      List<ChatMessage> messages, Tokenizer tokenizer, boolean trainOnInputs) {
    return ChatTokenization.tokenize(
        renderWithSpans(messages, false), this, tokenizer, trainOnInputs);
  }

  /**
   * Serving input: the conversation so far with the generation prompt, tokenized exactly as
   * training does.
   */
  default int[] tokenizePrompt(List<ChatMessage> messages, Tokenizer tokenizer) {
    return ChatTokenization.tokenize(renderWithSpans(messages, true), this, tokenizer, false)
        .tokens();
  }
}
