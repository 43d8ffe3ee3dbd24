package dev.tuneloop.trainer.engine;

import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.OptimizerConfig;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a {@link TrainingJobSpec} into a {@link TrainingConfig}: fills defaults (PEFT/Axolotl's,
 * documented in training.proto) and rejects every bad value at once, each problem naming the field
 * and why.
 */
public final class TrainingSpecs {

  /** Names that become object-key segments (adapters/{tenant}/{name}/...). */
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final List<String> DEFAULT_TARGETS = List.of("q_proj", "v_proj");

  private TrainingSpecs() {}

  /** Checks everything that does not need the base model. */
  public static void validate(TrainingJobSpec spec) {
    toConfig(spec, Integer.MAX_VALUE);
  }

  /**
   * @param contextLength the base model's context length: the default and the upper bound of
   *     max_seq_len
   * @throws InvalidSpecException listing every problem
   */
  public static TrainingConfig toConfig(TrainingJobSpec spec, int contextLength) {
    var problems = new ArrayList<String>();
    requireName(problems, "tenant", spec.getTenant());
    requireName(problems, "adapter_name", spec.getAdapterName());
    if (!spec.getJobId().isEmpty()) { // empty: the trainer assigns one
      requireName(problems, "job_id", spec.getJobId());
    }
    ownSnapshot(problems, "dataset_snapshot", spec.getDatasetSnapshot(), spec.getTenant());
    ownSnapshot(problems, "eval_dataset_snapshot", spec.getEvalDatasetSnapshot(), spec.getTenant());
    if (spec.getBaseModel().isBlank()) {
      problems.add(
          "base_model: required (\"stories260K\", an object key under models/, or a local path)");
    }
    if (spec.getDatasetSnapshot().isBlank()) {
      problems.add(
          "dataset_snapshot: required (the object key of a dataset snapshot's manifest.json)");
    }
    LoraSettings lora = lora(spec.getLora(), problems);
    OptimizerConfig opt = spec.getOptimizer();

    double lr = opt.hasLearningRate() ? opt.getLearningRate() : 2e-4;
    check(
        problems,
        lr > 0 && lr <= 1,
        "learning_rate",
        "must be in (0, 1] (LoRA typically uses 1e-5 to 1e-3)",
        lr);
    double weightDecay = opt.getWeightDecay();
    check(
        problems,
        weightDecay >= 0 && weightDecay <= 1,
        "weight_decay",
        "must be in [0, 1]",
        weightDecay);
    double beta1 = opt.getAdamBeta1() == 0 ? 0.9 : opt.getAdamBeta1();
    check(problems, beta1 > 0 && beta1 < 1, "adam_beta1", "must be in (0, 1)", beta1);
    double beta2 = opt.getAdamBeta2() == 0 ? 0.999 : opt.getAdamBeta2();
    check(problems, beta2 > 0 && beta2 < 1, "adam_beta2", "must be in (0, 1)", beta2);
    double eps = opt.getAdamEpsilon() == 0 ? 1e-8 : opt.getAdamEpsilon();
    check(problems, eps > 0 && eps < 1, "adam_epsilon", "must be in (0, 1)", eps);
    LrSchedulerType scheduler =
        enumValue(
            problems,
            "lr_scheduler",
            opt.getLrScheduler(),
            LrSchedulerType.COSINE,
            LrSchedulerType.class);
    double warmup = opt.hasWarmupRatio() ? opt.getWarmupRatio() : 0.03;
    check(problems, warmup >= 0 && warmup < 1, "warmup_ratio", "must be in [0, 1)", warmup);
    double maxGradNorm = opt.hasMaxGradNorm() ? opt.getMaxGradNorm() : 1.0;
    check(
        problems,
        maxGradNorm >= 0 && Double.isFinite(maxGradNorm),
        "max_grad_norm",
        "must be 0 (no clipping) or positive",
        maxGradNorm);

    int microBatch = spec.hasMicroBatchSize() ? spec.getMicroBatchSize() : 8;
    check(
        problems,
        microBatch >= 1 && microBatch <= 4096,
        "micro_batch_size",
        "must be in [1, 4096]",
        microBatch);
    int accumulation =
        spec.hasGradientAccumulationSteps() ? spec.getGradientAccumulationSteps() : 1;
    check(
        problems,
        accumulation >= 1 && accumulation <= 4096,
        "gradient_accumulation_steps",
        "must be in [1, 4096]",
        accumulation);
    int epochs = spec.hasNumEpochs() ? spec.getNumEpochs() : 3;
    int maxSteps = spec.getMaxSteps();
    check(problems, maxSteps >= 0, "max_steps", "must not be negative", maxSteps);
    check(
        problems,
        maxSteps > 0 || epochs >= 1,
        "num_epochs",
        "must be at least 1 when max_steps is 0",
        epochs);
    int maxSeqLen = spec.hasMaxSeqLen() ? spec.getMaxSeqLen() : Math.min(contextLength, 65_536);
    check(problems, maxSeqLen >= 2, "max_seq_len", "must be at least 2", maxSeqLen);
    check(
        problems,
        maxSeqLen <= contextLength,
        "max_seq_len",
        "exceeds the base model's context length " + contextLength,
        maxSeqLen);

    boolean explicitEvalSet = !spec.getEvalDatasetSnapshot().isBlank();
    double evalFraction =
        explicitEvalSet ? 0 : spec.hasEvalFraction() ? spec.getEvalFraction() : 0.1;
    check(
        problems,
        evalFraction >= 0 && evalFraction <= 0.5,
        "eval_fraction",
        "must be in [0, 0.5]",
        evalFraction);
    int evalSteps = spec.hasEvalSteps() ? spec.getEvalSteps() : 20;
    check(problems, evalSteps >= 1, "eval_steps", "must be at least 1", evalSteps);
    int checkpointSteps = spec.hasCheckpointSteps() ? spec.getCheckpointSteps() : 50;
    check(
        problems, checkpointSteps >= 1, "checkpoint_steps", "must be at least 1", checkpointSteps);
    int patience = spec.getEarlyStoppingPatience();
    check(problems, patience >= 0, "early_stopping_patience", "must not be negative", patience);
    check(
        problems,
        patience == 0 || explicitEvalSet || evalFraction > 0,
        "early_stopping_patience",
        "needs an evaluation split (eval_fraction > 0 or eval_dataset_snapshot)",
        patience);
    Truncation truncation =
        enumValue(problems, "truncation", spec.getTruncation(), Truncation.DROP, Truncation.class);

    if (!problems.isEmpty()) {
      throw new InvalidSpecException(problems);
    }
    long seed = spec.hasSeed() ? spec.getSeed() : 42;
    return new TrainingConfig(
        lora,
        lr,
        weightDecay,
        beta1,
        beta2,
        eps,
        scheduler,
        warmup,
        maxGradNorm,
        microBatch,
        accumulation,
        epochs,
        maxSteps,
        maxSeqLen,
        evalFraction,
        seed,
        spec.getTrainOnInputs(),
        evalSteps,
        checkpointSteps,
        patience,
        spec.getSamplePacking(),
        truncation);
  }

  private static LoraSettings lora(LoraConfig lora, List<String> problems) {
    int r = lora.hasLoraR() ? lora.getLoraR() : 8;
    check(problems, r >= 1 && r <= 1024, "lora_r", "must be in [1, 1024]", r);
    double alpha = lora.hasLoraAlpha() ? lora.getLoraAlpha() : 16;
    check(problems, alpha > 0 && Double.isFinite(alpha), "lora_alpha", "must be positive", alpha);
    double dropout = lora.hasLoraDropout() ? lora.getLoraDropout() : 0.0; // PEFT's default
    check(problems, dropout >= 0 && dropout < 1, "lora_dropout", "must be in [0, 1)", dropout);
    var targets = new LinkedHashSet<String>();
    for (String module : lora.getTargetModulesList()) {
      if (module.equals("all-linear")) {
        targets.addAll(LoraSettings.KNOWN_MODULES);
      } else if (LoraSettings.KNOWN_MODULES.contains(module)) {
        targets.add(module);
      } else {
        problems.add(
            "target_modules: unknown module \""
                + module
                + "\"; inference can apply LoRA only to "
                + String.join(", ", LoraSettings.KNOWN_MODULES)
                + " (or all-linear)");
      }
    }
    List<String> modules = targets.isEmpty() ? DEFAULT_TARGETS : List.copyOf(targets);
    return new LoraSettings(r, alpha, dropout, modules, lora.getUseRslora());
  }

  private static void requireName(List<String> problems, String field, String value) {
    if (value.isBlank()) {
      problems.add(field + ": required");
    } else if (!SAFE_NAME.matcher(value).matches() || value.contains("..")) {
      problems.add(
          field
              + ": \""
              + value
              + "\" must be 1-128 letters, digits, '.', '_' or '-', start with"
              + " a letter or digit and not contain \"..\" (it becomes part of object keys)");
    }
  }

  /**
   * A job reads only its own tenant's snapshots: the key must lie under {@code datasets/{tenant}/},
   * without a ".." that would climb out of it.
   */
  private static void ownSnapshot(List<String> problems, String field, String key, String tenant) {
    if (key.isEmpty()) {
      return; // dataset_snapshot's absence is reported above; the eval snapshot is optional
    }
    String folder = "datasets/" + tenant + "/";
    if (!key.startsWith(folder) || key.contains("..") || key.contains("//")) {
      problems.add(
          field
              + ": \""
              + key
              + "\" is not a snapshot of this job's tenant (expected a key under "
              + folder
              + ")");
    }
  }

  private static void check(
      List<String> problems, boolean ok, String field, String rule, Number value) {
    if (!ok) {
      problems.add(field + ": " + rule + ", got " + value);
    }
  }

  private static <E extends Enum<E>> E enumValue(
      List<String> problems, String field, String value, E fallback, Class<E> type) {
    if (value.isBlank()) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      var names = new ArrayList<String>();
      for (E constant : type.getEnumConstants()) {
        names.add(constant.name().toLowerCase(Locale.ROOT));
      }
      problems.add(field + ": unknown value \"" + value + "\"; one of " + String.join(", ", names));
      return fallback;
    }
  }
}
