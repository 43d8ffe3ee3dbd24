package dev.tuneloop.llm.chat;

import java.util.Arrays;

/**
 * A conversation as model input: {@code supervised[i]} says whether token {@code i} is a training
 * target (counts in the loss when predicted from the tokens before it).
 */
public record TokenizedChat(int[] tokens, boolean[] supervised) {

  public TokenizedChat {
    if (tokens.length != supervised.length) {
      throw new IllegalArgumentException(
          "tokens and supervised differ in length: " + tokens.length + " vs " + supervised.length);
    }
  }

  public int length() {
    return tokens.length;
  }

  public int supervisedCount() {
    int count = 0;
    for (boolean s : supervised) {
      count += s ? 1 : 0;
    }
    return count;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TokenizedChat that
        && Arrays.equals(tokens, that.tokens)
        && Arrays.equals(supervised, that.supervised);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(supervised);
  }

  @Override
  public String toString() {
    return "TokenizedChat[tokens="
        + Arrays.toString(tokens)
        + ", supervised="
        + Arrays.toString(supervised)
        + "]";
  }
}
