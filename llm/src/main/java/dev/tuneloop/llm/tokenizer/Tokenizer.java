package dev.tuneloop.llm.tokenizer;

/**
 * Text to token ids and back, for one model's vocabulary.
 *
 * <p>{@link #encode} never adds BOS or EOS: callers (chat templates, the generator) decide where
 * sequences start and end, and {@link #addsBos()} says whether this model's sequences begin with
 * BOS.
 *
 * <p>Implementations are immutable and safe to share between threads. {@link #close()} frees native
 * memory where an implementation holds some (the Hugging Face one); others need no closing.
 */
public interface Tokenizer extends AutoCloseable {

  /** The ids of {@code text}, without BOS or EOS. */
  default int[] encode(String text) {
    return encodeWithOffsets(text).ids();
  }

  /** The ids of {@code text} with the span of {@code text} (UTF-16 indices) each one covers. */
  EncodedText encodeWithOffsets(String text);

  /** The text of {@code ids}; BOS and EOS contribute no text. */
  String decode(int[] ids);

  /** A decoder for ids that arrive one at a time, starting at the beginning of a sequence. */
  StreamingDecoder streamingDecoder();

  /**
   * A decoder that continues after {@code context} (e.g. the prompt), so that what it returns is
   * exactly the text the new ids add to {@code decode(context)}.
   */
  default StreamingDecoder streamingDecoder(int[] context) {
    StreamingDecoder decoder = streamingDecoder();
    for (int id : context) {
      decoder.push(id);
    }
    return decoder;
  }

  /** The BOS id, or -1 when the model has none (e.g. Qwen2). */
  int bosId();

  /** The EOS (end of text or of turn) id, or -1 when the model has none. */
  int eosId();

  int vocabSize();

  /**
   * The text form of BOS in rendered chat templates (e.g. {@code <s>}); empty when there is none.
   */
  String bosToken();

  /**
   * The text form of EOS in rendered chat templates (e.g. {@code </s>}, {@code <|im_end|>}); empty
   * when none.
   */
  String eosToken();

  /**
   * Whether this model's sequences start with BOS (llama2.c: always; Hugging Face: as its
   * post-processor says).
   */
  boolean addsBos();

  /** The number of tokens of {@code text}, for budgets and statistics. */
  default int countTokens(String text) {
    return encode(text).length;
  }

  /** Frees native resources, if any; the tokenizer is unusable afterwards. */
  @Override
  default void close() {}
}
