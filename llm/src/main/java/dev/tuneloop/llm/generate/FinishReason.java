package dev.tuneloop.llm.generate;

/** Why generation ended. */
public enum FinishReason {
  /** The model produced its end-of-sequence token. */
  EOS,
  /** The text reached one of the stop sequences. */
  STOP_SEQUENCE,
  /** maxTokens were generated, or the context is full. */
  LENGTH,
  /** The generating thread was interrupted. */
  CANCELLED
}
