package dev.tuneloop.llm.tokenizer;

/**
 * Turns ids pushed one at a time into text. Each call returns only completed text: a character
 * whose UTF-8 bytes are split over several byte pieces comes out when its last byte arrives. The
 * concatenation of everything returned, followed by {@link #finish()}, equals {@link
 * Tokenizer#decode} of all ids pushed.
 */
public interface StreamingDecoder {

  /** Adds one id and returns the text it completes (possibly empty). */
  String push(int id);

  /**
   * Returns what is still held back (an incomplete character decodes as U+FFFD), and resets nothing
   * else.
   */
  String finish();
}
