package dev.tuneloop.curation.policy;

/** The training template a dataset's retrain requests carry; zero means "the trainer's default". */
public record TrainingDefaults(
    String baseModel, String chatTemplate, int loraR, float loraAlpha, int numEpochs, float learningRate,
    int microBatchSize, int maxSteps) {

  public static final TrainingDefaults DEFAULTS = new TrainingDefaults("stories260K", "", 8, 16f, 3, 2e-4f, 8, 0);
}
