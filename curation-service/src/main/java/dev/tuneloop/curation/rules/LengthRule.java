package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.RejectReason;

/**
 * Examples the trainer would have to drop or truncate: rendered token count above the dataset's
 * max_seq_len.
 */
public final class LengthRule implements Rule {

  private final TokenCounter tokens;

  public LengthRule(TokenCounter tokens) {
    this.tokens = tokens;
  }

  @Override
  public void apply(Candidate c) {
    int count = tokens.count(c.messages());
    c.tokenCount(count);
    if (count > c.policy().maxSeqLen()) {
      c.reject(
          new Rejection(
              RejectReason.TOO_LONG,
              "the rendered example is "
                  + count
                  + " tokens; max_seq_len is "
                  + c.policy().maxSeqLen()));
    }
  }
}
