package dev.tuneloop.trainer;

import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.proto.v1.PromotionDecision;
import dev.tuneloop.proto.v1.PromotionPolicy;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.engine.ChatExamples;
import dev.tuneloop.trainer.engine.PreparedData;
import dev.tuneloop.trainer.engine.SupervisedSequence;
import dev.tuneloop.trainer.engine.TrainingConfig;
import dev.tuneloop.trainer.evaluation.EvaluationInputs;
import dev.tuneloop.trainer.evaluation.Evaluator;
import dev.tuneloop.trainer.registry.AdapterVersions;
import dev.tuneloop.trainer.registry.AliasView;
import dev.tuneloop.trainer.registry.AliasWriter;
import dev.tuneloop.trainer.registry.GoldenPromptsStore;
import dev.tuneloop.trainer.registry.PromotionGate;
import dev.tuneloop.trainer.registry.PromotionPolicies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a trained version between "its files are stored" and "the job succeeded": it is
 * evaluated against the production version and the base model in the same job (eval loss on the
 * current and on production's eval split, golden prompts, the forgetting guard), the dataset's
 * promotion policy decides, {@code eval.json} is stored beside it, it is announced on
 * adapters.published, {@code candidate} moves to it, and {@code production} too when the gate
 * passed. Every step is idempotent, so a job run again after a crash anywhere in here ends in the
 * same state without a second move.
 *
 * <p>An evaluation that cannot run (a golden prompt longer than the model's context, production's
 * files gone) fails closed: the version is announced as the candidate, not promoted, and the report
 * says why; the job still succeeds, since the adapter itself is fine.
 */
final class VersionRelease {
  private static final Logger log = LoggerFactory.getLogger(VersionRelease.class);
  private static final java.time.Duration CATCH_UP = java.time.Duration.ofMinutes(2);

  private final ObjectStore store;
  private final AdapterPublisher publisher;
  private final AliasView aliases;
  private final AliasWriter writer;
  private final AdapterVersions versions;
  private final GoldenPromptsStore golden;
  private final PromotionPolicies policies;
  private final Evaluator evaluator;
  private final Path workDir;

  VersionRelease(
      ObjectStore store,
      AdapterPublisher publisher,
      AliasView aliases,
      AliasWriter writer,
      AdapterVersions versions,
      GoldenPromptsStore golden,
      PromotionPolicies policies,
      Evaluator evaluator,
      Path workDir) {
    this.store = store;
    this.publisher = publisher;
    this.aliases = aliases;
    this.writer = writer;
    this.versions = versions;
    this.golden = golden;
    this.policies = policies;
    this.evaluator = evaluator;
    this.workDir = workDir;
  }

  /**
   * The production version of the spec's adapter, if it has one, once the alias view has read the
   * topic up to its end at start (before that, "none yet" would make every retrain look like a
   * first version and promote it against the base model alone).
   */
  Optional<AdapterPublished> production(TrainingJobSpec spec) throws Exception {
    aliases.awaitCaughtUp(CATCH_UP);
    return aliases.production(spec.getTenant(), spec.getAdapterName());
  }

  /** The adapter of a stored version, loaded onto {@code base} (for a warm start or a baseline). */
  LoraAdapter load(AdapterPublished version, LoadedModel base) throws IOException {
    Path dir = Files.createTempDirectory(Files.createDirectories(workDir), "version-");
    try {
      for (String file : List.of(PeftAdapters.WEIGHTS, PeftAdapters.CONFIG)) {
        store.download(version.getLocation() + file, dir.resolve(file));
      }
      return PeftAdapters.load(dir, base);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Evaluates, decides, stores eval.json, announces and moves the aliases.
   *
   * @param eval the job's current eval split, as it trained with it
   */
  EvalReport release(
      TrainingJobSpec spec,
      AdapterPublished candidate,
      LoraAdapter trained,
      LoadedModel base,
      ChatTemplate template,
      TrainingConfig config,
      SnapshotManifest dataset,
      List<SupervisedSequence> eval)
      throws Exception {
    PromotionPolicy policy = policies.effective(spec.getTenant(), dataset.dataset());
    EvalReport.Builder report;
    Optional<AdapterPublished> production =
        production(spec).filter(p -> !p.getVersion().equals(candidate.getVersion()));
    try {
      report =
          evaluate(spec, candidate, trained, base, template, config, dataset, eval, production);
    } catch (IllegalArgumentException | IOException e) {
      log.warn("evaluation of {}@{} failed", spec.getAdapterName(), candidate.getVersion(), e);
      report =
          EvalReport.newBuilder()
              .setDecision(
                  PromotionDecision.newBuilder()
                      .setPromote(false)
                      .setReason("the evaluation could not run: " + e.getMessage())
                      .addFailedChecks("evaluation"));
    }
    report
        .setTenant(spec.getTenant())
        .setName(spec.getAdapterName())
        .setVersion(candidate.getVersion())
        .setDataset(dataset.dataset())
        .setJobId(spec.getJobId())
        .setPolicy(policy)
        .setEvaluatedAt(Timestamps.of(Instant.now()));
    if (!report.hasDecision()) {
      report.setDecision(PromotionGate.decide(report.build(), policy));
    }
    EvalReport done = report.build();
    publisher.storeEval(candidate, done);
    publisher.announce(candidate);
    writer.train(candidate);
    if (done.getDecision().getPromote()) {
      writer.gate(candidate, done.getDecision());
    }
    log.info(
        "{}@{}: {} ({})",
        spec.getAdapterName(),
        candidate.getVersion(),
        done.getDecision().getPromote() ? "promoted to production" : "not promoted",
        done.getDecision().getReason());
    return done;
  }

  private EvalReport.Builder evaluate(
      TrainingJobSpec spec,
      AdapterPublished candidate,
      LoraAdapter trained,
      LoadedModel base,
      ChatTemplate template,
      TrainingConfig config,
      SnapshotManifest dataset,
      List<SupervisedSequence> eval,
      Optional<AdapterPublished> production)
      throws IOException {
    var prompts = golden.get(spec.getTenant(), dataset.dataset());
    if (production.isEmpty()) {
      return evaluator.evaluate(
          new EvaluationInputs(
              base,
              template,
              config,
              eval,
              List.of(),
              prompts,
              trained,
              candidate.getVersion(),
              null,
              null));
    }
    AdapterPublished current = production.get();
    List<SupervisedSequence> priorEval = priorEval(current, base, template, config);
    try (LoraAdapter serving = load(current, base)) {
      return evaluator.evaluate(
          new EvaluationInputs(
              base,
              template,
              config,
              eval,
              priorEval,
              prompts,
              trained,
              candidate.getVersion(),
              serving,
              current.getVersion()));
    }
  }

  /**
   * The eval split of the snapshot production trained on, by the same frozen rule (so it is the
   * split production was evaluated on), tokenized as this job tokenizes.
   */
  private List<SupervisedSequence> priorEval(
      AdapterPublished production, LoadedModel base, ChatTemplate template, TrainingConfig config)
      throws IOException {
    String manifestKey;
    try {
      manifestKey = versions.datasetManifest(production);
    } catch (RuntimeException noRecord) { // published before training records named snapshots
      return List.of();
    }
    if (!store.exists(manifestKey)) {
      return List.of();
    }
    SnapshotManifest manifest =
        TrainingData.manifest(store, manifestKey, "production's dataset_snapshot");
    var examples = TrainingData.examples(store, manifest);
    List<SupervisedSequence> tokenized =
        ChatExamples.tokenize(
            TrainingData.conversations(examples),
            template,
            base.tokenizer(),
            config.trainOnInputs());
    try {
      return PreparedData.of(tokenized, TrainingData.ids(examples), List.of(), config).eval();
    } catch (IllegalArgumentException noTrainingSide) { // every example held out: all are eval
      return tokenized;
    }
  }
}
