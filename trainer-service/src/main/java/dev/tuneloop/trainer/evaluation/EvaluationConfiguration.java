package dev.tuneloop.trainer.evaluation;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.List;

/**
 * The evaluation every trained version gets (prefix {@code trainer.evaluation}).
 *
 * @param probePrompts the forgetting guard's plain-text prompts; empty: the base model's defaults
 *     ({@link ProbePrompts})
 * @param probeTokens greedy tokens continued from each probe prompt
 * @param goldenMaxTokens the most tokens of a greedy answer to a golden prompt
 */
@ConfigurationProperties("trainer.evaluation")
public record EvaluationConfiguration(
    @Bindable(defaultValue = "") List<String> probePrompts,
    @Bindable(defaultValue = "" + EvaluationSettings.DEFAULT_PROBE_TOKENS) int probeTokens,
    @Bindable(defaultValue = "" + EvaluationSettings.DEFAULT_GOLDEN_MAX_TOKENS)
        int goldenMaxTokens) {

  public EvaluationSettings toSettings() {
    List<String> prompts =
        probePrompts == null ? List.of() : probePrompts.stream().filter(p -> !p.isBlank()).toList();
    return new EvaluationSettings(prompts, probeTokens, goldenMaxTokens);
  }
}
