package dev.tuneloop.trainer;

import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.engine.InvalidSpecException;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's limits on what one job may ask for (prefix {@code trainer.limits}), beside the
 * spec's own validity ({@code TrainingSpecs}): a request over a limit is refused at submit and
 * dead-lettered when it arrives on Kafka, each problem naming the field and the setting.
 *
 * @param maxSteps most optimizer steps ({@code max_steps})
 * @param maxEpochs most passes over the data ({@code num_epochs}, when max_steps is 0)
 * @param maxSeqLen most tokens per example ({@code max_seq_len}; an unset one is the model's
 *     context, checked once the model is loaded)
 * @param maxLoraRank highest LoRA rank ({@code lora_r}); mirrors inference's {@code
 *     tuneloop.inference.max-adapter-rank}, so a job whose adapter could not be served is refused
 *     before hours of training
 * @param maxDuration wall-clock time a job may run before it ends FAILED
 */
@ConfigurationProperties("trainer.limits")
public record TrainerLimits(
    @Bindable(defaultValue = "100000") int maxSteps,
    @Bindable(defaultValue = "100") int maxEpochs,
    @Bindable(defaultValue = "32768") int maxSeqLen,
    @Bindable(defaultValue = "16") int maxLoraRank,
    @Bindable(defaultValue = "24h") Duration maxDuration) {

  /** The highest rank inference serves by default ({@code tuneloop.inference.max-adapter-rank}). */
  public static final int DEFAULT_MAX_LORA_RANK = 16;

  /** The defaults, for code outside Micronaut (tests, tools). */
  public static TrainerLimits defaults() {
    return new TrainerLimits(100_000, 100, 32_768, DEFAULT_MAX_LORA_RANK, Duration.ofHours(24));
  }

  /**
   * @throws InvalidSpecException naming every field over its limit and the setting that sets it
   */
  public void check(TrainingJobSpec spec) {
    List<String> problems = new ArrayList<>();
    over(problems, "max_steps", spec.getMaxSteps(), maxSteps, "max-steps");
    if (spec.getMaxSteps() == 0) {
      over(
          problems,
          "num_epochs",
          spec.hasNumEpochs() ? spec.getNumEpochs() : 3,
          maxEpochs,
          "max-epochs");
    }
    if (spec.hasMaxSeqLen()) {
      over(problems, "max_seq_len", spec.getMaxSeqLen(), maxSeqLen, "max-seq-len");
    }
    over(
        problems,
        "lora_r",
        spec.getLora().hasLoraR() ? spec.getLora().getLoraR() : 8,
        maxLoraRank,
        "max-lora-rank, which mirrors inference's tuneloop.inference.max-adapter-rank;"
            + " raise both to train it");
    if (!problems.isEmpty()) {
      throw new InvalidSpecException(problems);
    }
  }

  /** The sequence length the job will train with, once the model's default is known. */
  public void checkSeqLen(int effective) {
    List<String> problems = new ArrayList<>();
    over(problems, "max_seq_len", effective, maxSeqLen, "max-seq-len");
    if (!problems.isEmpty()) {
      throw new InvalidSpecException(problems);
    }
  }

  private static void over(
      List<String> problems, String field, long value, long limit, String key) {
    if (value > limit) {
      problems.add(
          field
              + ": "
              + value
              + " is over this trainer's limit of "
              + limit
              + " (setting trainer.limits."
              + key
              + ")");
    }
  }
}
