package dev.tuneloop.llm.generate;

import java.util.SplittableRandom;

/** Chooses the next token from logits. Implementations may modify the array they are given. */
@FunctionalInterface
public interface Sampler {

  /** Always the most likely token (ties go to the lowest id). */
  Sampler ARGMAX = Sampler::argmax;

  int sample(float[] logits);

  /**
   * The sampler {@code params} describe: argmax at temperature 0, else seeded top-k / top-p
   * sampling.
   */
  static Sampler of(SamplingParams params) {
    if (params.temperature() == 0f) {
      return ARGMAX;
    }
    return new TopPSampler(
        params.temperature(), params.topK(), params.topP(), new SplittableRandom(params.seed()));
  }

  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
