package dev.tuneloop.trainer.engine;

/**
 * One tokenized training example: the rendered chat's token ids and, per token, whether it counts
 * in the loss (the responses, or everything with train_on_inputs).
 */
public record SupervisedSequence(int[] tokens, boolean[] supervised) {

  public SupervisedSequence {
    if (tokens.length != supervised.length) {
      throw new IllegalArgumentException(
          "tokens and supervised mask differ in length: "
              + tokens.length
              + " vs "
              + supervised.length);
    }
  }

  public int length() {
    return tokens.length;
  }

  /**
   * Tokens whose prediction is trained: supervised positions after the first (the first has no
   * context).
   */
  public int supervisedTargets() {
    int n = 0;
    for (int i = 1; i < supervised.length; i++) {
      n += supervised[i] ? 1 : 0;
    }
    return n;
  }
}
