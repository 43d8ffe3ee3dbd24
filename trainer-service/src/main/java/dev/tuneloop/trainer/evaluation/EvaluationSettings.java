package dev.tuneloop.trainer.evaluation;

import java.util.List;

/**
 * What an evaluation measures beyond the eval splits.
 *
 * @param probePrompts the forgetting guard's plain-text prompts; empty means {@link
 *     ProbePrompts#forModel the defaults for the base model}
 * @param probeTokens greedy tokens continued from each probe prompt
 * @param goldenMaxTokens the most tokens of a greedy answer to a golden prompt
 */
public record EvaluationSettings(List<String> probePrompts, int probeTokens, int goldenMaxTokens) {

  public static final int DEFAULT_PROBE_TOKENS = 24;
  public static final int DEFAULT_GOLDEN_MAX_TOKENS = 64;

  public EvaluationSettings {
    probePrompts = List.copyOf(probePrompts);
    if (probeTokens < 1) {
      throw new IllegalArgumentException(
          "trainer.evaluation.probe-tokens: must be at least 1, got " + probeTokens);
    }
    if (goldenMaxTokens < 1) {
      throw new IllegalArgumentException(
          "trainer.evaluation.golden-max-tokens: must be at least 1, got " + goldenMaxTokens);
    }
  }

  /** The default probes of the base model, 24 probe tokens, golden answers of up to 64 tokens. */
  public static EvaluationSettings defaults() {
    return new EvaluationSettings(List.of(), DEFAULT_PROBE_TOKENS, DEFAULT_GOLDEN_MAX_TOKENS);
  }

  /** The probe prompts for this base model: the configured ones, or its defaults. */
  public List<String> probePromptsFor(String baseModelName) {
    return probePrompts.isEmpty() ? ProbePrompts.forModel(baseModelName) : probePrompts;
  }
}
