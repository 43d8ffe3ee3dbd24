package dev.tuneloop.curation.policy;

import java.util.List;

/**
 * The training template a dataset's retrain requests carry; zero (or no target modules) means "the
 * trainer's default". {@code evalFraction} is always sent (the trainer's default is the same 0.1):
 * curation carries the frozen eval split of that fraction into retrain snapshots, so both must
 * agree on it.
 */
public record TrainingDefaults(
    String baseModel,
    String chatTemplate,
    int loraR,
    float loraAlpha,
    List<String> targetModules,
    int numEpochs,
    float learningRate,
    int microBatchSize,
    int maxSteps,
    double evalFraction) {

  public static final TrainingDefaults DEFAULTS =
      new TrainingDefaults("stories260K", "", 8, 16f, List.of(), 3, 2e-4f, 8, 0, 0.1);

  public TrainingDefaults {
    targetModules = List.copyOf(targetModules);
    if (!(evalFraction >= 0 && evalFraction < 1)) {
      throw new IllegalArgumentException(
          "training eval-fraction is " + evalFraction + "; it must be at least 0 and below 1");
    }
  }
}
