package dev.tuneloop.curation.policy;

import java.util.List;

/**
 * The training template a dataset's retrain requests carry; zero (or no target modules) means "the
 * trainer's default".
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
    int maxSteps) {

  public static final TrainingDefaults DEFAULTS =
      new TrainingDefaults("stories260K", "", 8, 16f, List.of(), 3, 2e-4f, 8, 0);

  public TrainingDefaults {
    targetModules = List.copyOf(targetModules);
  }
}
