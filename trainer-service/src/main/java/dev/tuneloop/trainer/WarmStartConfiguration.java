package dev.tuneloop.trainer;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * How a job that starts from the production version's weights ({@code init_from: production})
 * trains (prefix {@code trainer.warm-start}).
 *
 * @param learningRateScale the job's learning rate is multiplied by this when it does start from
 *     production's weights: continuing an adapter at the rate that trained it from scratch can
 *     overwrite what it knew within a few steps
 */
@ConfigurationProperties("trainer.warm-start")
public record WarmStartConfiguration(@Bindable(defaultValue = "1.0") double learningRateScale) {

  public WarmStartConfiguration {
    if (!(learningRateScale > 0 && learningRateScale <= 1)) {
      throw new IllegalArgumentException(
          "trainer.warm-start.learning-rate-scale must be in (0, 1], got " + learningRateScale);
    }
  }
}
