package dev.tuneloop.llm.generate;

import java.util.List;

/**
 * How to choose tokens and when to stop.
 *
 * @param temperature 0 means greedy (argmax); otherwise logits are divided by it before sampling
 * @param topK keep only the k most likely tokens (0 = no limit)
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (1 = no
 *     limit)
 * @param repetitionPenalty divides positive (multiplies negative) logits of tokens already in the
 *     sequence (1 = off)
 * @param seed seeds the sampler, so equal inputs give equal outputs
 * @param maxTokens the most tokens to generate
 * @param stop strings that end generation; the text stops before the first one found
 * @param stopAtEos whether the end-of-sequence token (or a generated BOS, llama2.c's story
 *     separator) ends generation
 */
public record SamplingParams(
    float temperature,
    int topK,
    float topP,
    float repetitionPenalty,
    long seed,
    int maxTokens,
    List<String> stop,
    boolean stopAtEos) {

  public SamplingParams {
    require(temperature >= 0, "temperature must be >= 0, was " + temperature);
    require(topK >= 0, "topK must be >= 0, was " + topK);
    require(topP > 0 && topP <= 1, "topP must be in (0, 1], was " + topP);
    require(repetitionPenalty > 0, "repetitionPenalty must be > 0, was " + repetitionPenalty);
    require(maxTokens >= 1, "maxTokens must be >= 1, was " + maxTokens);
    stop = stop == null ? List.of() : List.copyOf(stop);
    require(stop.stream().noneMatch(String::isEmpty), "stop sequences must not be empty");
  }

  /** Greedy decoding: deterministic argmax, stopping at EOS. */
  public static SamplingParams greedy(int maxTokens) {
    return new SamplingParams(0f, 0, 1f, 1f, 0L, maxTokens, List.of(), true);
  }

  /** Sampling at a temperature with nucleus (top-p) filtering. */
  public static SamplingParams sampled(float temperature, float topP, long seed, int maxTokens) {
    return new SamplingParams(temperature, 0, topP, 1f, seed, maxTokens, List.of(), true);
  }

  public SamplingParams withTopK(int k) {
    return new SamplingParams(
        temperature, k, topP, repetitionPenalty, seed, maxTokens, stop, stopAtEos);
  }

  public SamplingParams withRepetitionPenalty(float penalty) {
    return new SamplingParams(temperature, topK, topP, penalty, seed, maxTokens, stop, stopAtEos);
  }

  public SamplingParams withStop(List<String> sequences) {
    return new SamplingParams(
        temperature, topK, topP, repetitionPenalty, seed, maxTokens, sequences, stopAtEos);
  }

  public SamplingParams withStopAtEos(boolean stopAtEndOfSequence) {
    return new SamplingParams(
        temperature, topK, topP, repetitionPenalty, seed, maxTokens, stop, stopAtEndOfSequence);
  }

  public SamplingParams withMaxTokens(int max) {
    return new SamplingParams(
        temperature, topK, topP, repetitionPenalty, seed, max, stop, stopAtEos);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
