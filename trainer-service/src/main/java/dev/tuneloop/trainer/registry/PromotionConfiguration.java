package dev.tuneloop.trainer.registry;

import dev.tuneloop.proto.v1.PromotionPolicy;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * The trainer's default promotion policy (prefix {@code trainer.promotion}); a dataset's stored
 * policy overrides any of these ({@link PromotionPolicies}).
 *
 * @param mode "auto": the gate promotes a version that passes every check; "manual": never
 * @param maxEvalLossRegression share by which a candidate's eval loss may exceed production's
 * @param minGoldenDelta least golden-score gain over production (0: no worse)
 * @param maxDrift most share of probe prompts answered differently from the base model (1: off)
 */
@ConfigurationProperties("trainer.promotion")
public record PromotionConfiguration(
    @Bindable(defaultValue = "auto") String mode,
    @Bindable(defaultValue = "0.05") double maxEvalLossRegression,
    @Bindable(defaultValue = "0") double minGoldenDelta,
    @Bindable(defaultValue = "1.0") double maxDrift) {

  public static PromotionConfiguration defaults() {
    return new PromotionConfiguration("auto", 0.05, 0, 1.0);
  }

  /** As a policy with every field set; checked like a stored one, naming the settings. */
  public PromotionPolicy toPolicy() {
    PromotionPolicy policy =
        PromotionPolicy.newBuilder()
            .setMode(mode)
            .setMaxEvalLossRegression(maxEvalLossRegression)
            .setMinGoldenDelta(minGoldenDelta)
            .setMaxDrift(maxDrift)
            .build();
    String problems = PromotionPolicies.problems(policy, true);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid promotion defaults: " + problems);
    }
    return policy;
  }
}
