package dev.tuneloop.trainer;

import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.engine.TrainingSpecs;
import java.util.Optional;

/**
 * What makes a training request one the trainer cannot take at all (a poison request): an invalid
 * spec, a spec over the operator's limits, a dataset snapshot that is missing or unreadable. Such a
 * request is dead-lettered with the reason instead of being run.
 */
final class RequestCheck {

  private final ObjectStore store;
  private final TrainerLimits limits;

  RequestCheck(ObjectStore store, TrainerLimits limits) {
    this.store = store;
    this.limits = limits;
  }

  /** Why the request cannot run, or empty when it may. */
  Optional<String> problem(TrainingJobSpec spec) {
    try {
      TrainingSpecs.validate(spec);
      limits.check(spec);
      TrainingData.manifest(store, spec.getDatasetSnapshot(), "dataset_snapshot");
      if (!spec.getEvalDatasetSnapshot().isBlank()) {
        TrainingData.manifest(store, spec.getEvalDatasetSnapshot(), "eval_dataset_snapshot");
      }
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    } catch (RuntimeException e) { // the manifest is there but cannot be read or parsed
      return Optional.of(
          "dataset_snapshot: the manifest at "
              + spec.getDatasetSnapshot()
              + " cannot be read: "
              + e.getMessage());
    }
  }
}
