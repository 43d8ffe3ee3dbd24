package dev.tuneloop.trainer;

import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.ChatTemplates;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.engine.ChatExamples;
import dev.tuneloop.trainer.engine.LlamaLoraTrainable;
import dev.tuneloop.trainer.engine.PreparedData;
import dev.tuneloop.trainer.engine.Progress;
import dev.tuneloop.trainer.engine.StopSignal;
import dev.tuneloop.trainer.engine.Trainer;
import dev.tuneloop.trainer.engine.TrainingConfig;
import dev.tuneloop.trainer.engine.TrainingListener;
import dev.tuneloop.trainer.engine.TrainingResult;
import dev.tuneloop.trainer.engine.TrainingSpecs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt at a job: base model and dataset in, training with checkpoints in the object
 * store, adapter published, a terminal event out. A job stopped by a shutdown emits no terminal
 * event: it resumes from its checkpoint on whichever worker gets the request next. A problem the
 * user can act on (a bad spec, a missing model) fails the job; anything else, an {@code Error} such
 * as {@code OutOfMemoryError} included, fails only the attempt, and the worker decides whether
 * another one runs.
 */
public final class JobRunner {

  /** How an attempt ended. {@code error} is set for {@link Kind#ATTEMPT_FAILED}. */
  public record Ending(Kind kind, String error) {
    public enum Kind {
      /** The job's terminal event is out (SUCCEEDED, FAILED, CANCELLED). */
      TERMINAL,
      /** Stopped by a shutdown or a rebalance; checkpointed, to be resumed. */
      INTERRUPTED,
      /** An internal failure; the job is not terminal yet. */
      ATTEMPT_FAILED
    }

    static final Ending TERMINAL_ENDING = new Ending(Kind.TERMINAL, "");
  }

  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  /** {@code TrainingJobSpec.init_from} asking for a warm start from the production version. */
  static final String INIT_FROM_PRODUCTION = "production";

  private final ObjectStore store;
  private final BaseModels models;
  private final JobEvents events;
  private final AdapterPublisher publisher;
  private final VersionRelease release;
  private final double warmStartLearningRateScale;
  private final Duration progressInterval;
  private final TrainerLimits limits;

  public JobRunner(
      ObjectStore store,
      BaseModels models,
      JobEvents events,
      AdapterPublisher publisher,
      VersionRelease release,
      double warmStartLearningRateScale,
      Duration progressInterval,
      TrainerLimits limits) {
    this.store = store;
    this.models = models;
    this.events = events;
    this.publisher = publisher;
    this.release = release;
    this.warmStartLearningRateScale = warmStartLearningRateScale;
    this.progressInterval = progressInterval;
    this.limits = limits;
  }

  /**
   * Runs attempt number {@code attempt} (1 first) of the job.
   *
   * @param overTime true once the job ran past its wall-clock limit; the worker then cancels it,
   *     and the job ends FAILED instead of CANCELLED
   */
  public Ending run(TrainingJobSpec spec, StopSignal stop, int attempt, BooleanSupplier overTime) {
    try {
      TrainingSpecs.validate(spec);
      limits.check(spec);
      events.publish(
          JobEvents.of(spec, JobState.RUNNING)
              .setAttempt(attempt)
              .setMessage("loading base model and dataset")
              .build());
      try (LoadedModel base = models.load(spec.getBaseModel())) {
        return train(spec, base, stop, attempt, overTime);
      }
    } catch (
        IllegalArgumentException
            e) { // a bad spec, a missing model or dataset: the user can act on it
      fail(spec, attempt, e.getMessage());
      return Ending.TERMINAL_ENDING;
    } catch (Exception | Error e) { // OutOfMemoryError too: this attempt fails, not the worker
      log.error("job {} attempt {} failed", spec.getJobId(), attempt, e);
      return new Ending(Ending.Kind.ATTEMPT_FAILED, "internal error: " + e);
    }
  }

  private Ending train(
      TrainingJobSpec spec,
      LoadedModel base,
      StopSignal stop,
      int attempt,
      BooleanSupplier overTime)
      throws Exception {
    TrainingConfig specConfig = TrainingSpecs.toConfig(spec, base.config().maxSeqLen());
    limits.checkSeqLen(specConfig.maxSeqLen());
    TrainingConfig config = specConfig;
    SnapshotManifest dataset =
        TrainingData.manifest(store, spec.getDatasetSnapshot(), "dataset_snapshot");
    List<TrainingData.Example> train = TrainingData.examples(store, dataset);
    List<List<ChatMessage>> eval =
        spec.getEvalDatasetSnapshot().isBlank()
            ? List.of()
            : TrainingData.conversations(
                store,
                TrainingData.manifest(
                    store, spec.getEvalDatasetSnapshot(), "eval_dataset_snapshot"));
    ChatTemplate template =
        spec.getChatTemplate().isBlank()
            ? ChatTemplates.defaultFor(base.tokenizer())
            : ChatTemplates.named(spec.getChatTemplate());
    PreparedData data =
        PreparedData.of(
            ChatExamples.tokenize(
                TrainingData.conversations(train),
                template,
                base.tokenizer(),
                config.trainOnInputs()),
            TrainingData.ids(train),
            ChatExamples.tokenize(eval, template, base.tokenizer(), config.trainOnInputs()),
            config);
    var warnings = new ArrayList<>(data.warnings());
    String initVersion = "";
    LlamaLoraTrainable model;
    Optional<AdapterPublished> production =
        INIT_FROM_PRODUCTION.equals(spec.getInitFrom())
            ? release.production(spec)
            : Optional.empty();
    if (production.isPresent()) {
      try (LoraAdapter start = release.load(production.get(), base)) {
        model = LlamaLoraTrainable.warmStart(base.model(), config.lora(), start);
        initVersion = production.get().getVersion();
        config = config.withLearningRate(config.learningRate() * warmStartLearningRateScale);
      } catch (IllegalArgumentException incompatible) { // another rank or other modules
        model = LlamaLoraTrainable.initialize(base.model(), config.lora(), config.seed());
        warnings.add("started from a fresh adapter, not production: " + incompatible.getMessage());
      }
    } else {
      model = LlamaLoraTrainable.initialize(base.model(), config.lora(), config.seed());
    }
    var checkpoints = new ObjectStoreCheckpoints(store, spec.getJobId());
    var trainer =
        new Trainer(model, config, data, checkpoints, new ProgressEvents(spec, attempt, warnings));
    TrainingResult result = trainer.run(stop);
    switch (result.outcome()) {
      case COMPLETED -> {
        AdapterPublished published =
            publisher.store(
                spec,
                config,
                model.adapter(),
                base.id(),
                template.name(),
                dataset,
                result,
                initVersion);
        EvalReport report =
            release.release(
                spec, published, model.adapter(), base, template, config, dataset, data.eval());
        var allWarnings = new ArrayList<>(warnings);
        result.warnings().stream().filter(w -> !allWarnings.contains(w)).forEach(allWarnings::add);
        events.publish(
            JobEvents.of(spec, JobState.SUCCEEDED)
                .setAttempt(attempt)
                .setStep(result.steps())
                .setTotalSteps(result.totalSteps())
                .setLoss((float) result.finalLoss())
                .setEvalLoss((float) result.bestEvalLoss())
                .setTokensPerSecond((float) result.tokensPerSecond())
                .addAllWarnings(allWarnings)
                .setAdapter(published)
                .setEval(report)
                .setMessage(
                    (result.stoppedEarly() ? "stopped early; " : "")
                        + "adapter published at "
                        + published.getLocation()
                        + (report.getDecision().getPromote()
                            ? "; promoted to production"
                            : "; candidate, not promoted: " + report.getDecision().getReason()))
                .build());
        checkpoints.delete();
      }
      case CANCELLED -> {
        if (overTime.getAsBoolean()) {
          fail(
              spec,
              attempt,
              "ran past this trainer's wall-clock limit of "
                  + limits.maxDuration()
                  + " (setting trainer.limits.max-duration); stopped at step "
                  + result.steps()
                  + " of "
                  + result.totalSteps());
        } else {
          events.publish(
              JobEvents.of(spec, JobState.CANCELLED)
                  .setAttempt(attempt)
                  .setStep(result.steps())
                  .setTotalSteps(result.totalSteps())
                  .setMessage("cancelled at step " + result.steps())
                  .build());
        }
        checkpoints.delete();
      }
      case INTERRUPTED -> {
        log.info(
            "job {} interrupted at step {}; checkpointed for a resume",
            spec.getJobId(),
            result.steps());
        // A shutdown or a rebalance is no failure: hand the attempt back, so rolling restarts
        // never use up max-attempts (a trainer killed hard sends nothing, and that attempt counts).
        events.publish(
            JobEvents.of(spec, JobState.RUNNING)
                .setAttempt(attempt - 1)
                .setStep(result.steps())
                .setTotalSteps(result.totalSteps())
                .setMessage(
                    "interrupted at step "
                        + result.steps()
                        + " by a shutdown or rebalance; checkpointed, resumes on the next worker")
                .build());
        return new Ending(Ending.Kind.INTERRUPTED, "");
      }
    }
    return Ending.TERMINAL_ENDING;
  }

  private void fail(TrainingJobSpec spec, int attempt, String reason) {
    events.publish(
        JobEvents.of(spec, JobState.FAILED)
            .setAttempt(attempt)
            .setError(reason)
            .setMessage("failed: " + reason)
            .build());
  }

  /** RUNNING events, at most one per progress interval, plus one after every evaluation. */
  private final class ProgressEvents implements TrainingListener {
    private final TrainingJobSpec spec;
    private final int attempt;
    private final List<String> warnings;
    private long lastSent;
    private boolean evaluated;

    ProgressEvents(TrainingJobSpec spec, int attempt, List<String> warnings) {
      this.spec = spec;
      this.attempt = attempt;
      this.warnings = warnings;
    }

    @Override
    public void onEvaluation(long step, double evalLoss, boolean best) {
      evaluated = true;
    }

    @Override
    public void onStep(Progress p) {
      long now = System.nanoTime();
      if (!evaluated && now - lastSent < progressInterval.toNanos() && p.step() != 1) {
        return;
      }
      evaluated = false;
      lastSent = now;
      var event =
          JobEvents.of(spec, JobState.RUNNING)
              .setAttempt(attempt)
              .setStep(p.step())
              .setTotalSteps(p.totalSteps())
              .setEpoch((float) p.epoch())
              .setLoss((float) p.loss())
              .setLearningRate((float) p.learningRate())
              .setTokensPerSecond((float) p.tokensPerSecond())
              .setEtaSeconds(p.etaSeconds())
              .addAllWarnings(warnings);
      if (!Double.isNaN(p.evalLoss())) {
        event.setEvalLoss((float) p.evalLoss());
      }
      events.publish(event.build());
    }
  }
}
