package dev.tuneloop.trainer.engine;

/** What happens to an example longer than {@code max_seq_len}. */
public enum Truncation {
  /** Leave the example out (and say how many in the job's warnings). */
  DROP,
  /** Keep the first max_seq_len tokens. */
  TRUNCATE_RIGHT,
  /**
   * Keep the last max_seq_len tokens: the final response survives, the start of the prompt does
   * not.
   */
  TRUNCATE_LEFT
}
