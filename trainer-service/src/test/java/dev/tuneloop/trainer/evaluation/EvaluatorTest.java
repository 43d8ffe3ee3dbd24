package dev.tuneloop.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.BaseNDManager;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.lora.LoraSpec;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.lora.RandomAdapters;
import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.proto.v1.EvalScores;
import dev.tuneloop.proto.v1.GoldenPrompt;
import dev.tuneloop.proto.v1.GoldenResult;
import dev.tuneloop.proto.v1.OptimizerConfig;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.engine.CheckpointStore;
import dev.tuneloop.trainer.engine.EvalLoss;
import dev.tuneloop.trainer.engine.LlamaLoraTrainable;
import dev.tuneloop.trainer.engine.PreparedData;
import dev.tuneloop.trainer.engine.StopSignal;
import dev.tuneloop.trainer.engine.SupervisedSequence;
import dev.tuneloop.trainer.engine.Trainer;
import dev.tuneloop.trainer.engine.TrainingConfig;
import dev.tuneloop.trainer.engine.TrainingListener;
import dev.tuneloop.trainer.engine.TrainingResult;
import dev.tuneloop.trainer.engine.TrainingSpecs;
import dev.tuneloop.trainer.testing.SampleData;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  private static LoadedModel base;
  private static List<SampleData.Pair> facts;
  private static List<SupervisedSequence> factSequences;

  @BeforeAll
  static void load() {
    base = BuiltinModels.stories260K();
    facts = EngineRuns.foobearFacts(8);
    factSequences = EngineRuns.tokenize(base, facts);
  }

  @AfterAll
  static void close() {
    base.close();
  }

  private static EvaluationInputs inputs(
      LoraSet candidate, String version, LoraSet production, String productionVersion) {
    return new EvaluationInputs(
        base,
        EngineRuns.template(base),
        EngineRuns.config(base, 1),
        factSequences,
        production == null ? List.of() : factSequences.subList(0, 3),
        EngineRuns.golden(facts),
        candidate,
        version,
        production,
        productionVersion);
  }

  private static EvalReport.Builder evaluate(EvaluationInputs in) {
    long start = System.nanoTime();
    EvalReport.Builder report = new Evaluator(EvaluationSettings.defaults()).evaluate(in);
    System.out.printf(
        "evaluation of %d model(s): %.2f s%n",
        in.production() == null ? 2 : 3, (System.nanoTime() - start) / 1e9);
    return report;
  }

  private static int managedArrays() {
    return ((BaseNDManager) base.manager()).getManagedArrays().size();
  }

  @Test
  void theEvalLossIsTheTrainersMeasure() throws Exception {
    // Trained with an eval split: the trainer keeps the parameters of its best evaluation, whose
    // loss the evaluator must reproduce exactly.
    TrainingConfig config =
        TrainingSpecs.toConfig(
            TrainingJobSpec.newBuilder()
                .setTenant("acme")
                .setAdapterName("foobear")
                .setBaseModel("stories260K")
                .setDatasetSnapshot("datasets/acme/foobear/snapshots/1/manifest.json")
                .setOptimizer(OptimizerConfig.newBuilder().setLearningRate(1e-2f))
                .setMicroBatchSize(8)
                .setMaxSteps(6)
                .setEvalSteps(3)
                .setEvalFraction(0.5f)
                .build(),
            base.config().maxSeqLen());
    List<SupervisedSequence> all = EngineRuns.tokenize(base, SampleData.foobear().subList(0, 24));
    PreparedData data = PreparedData.of(all, PreparedData.positions(all.size()), List.of(), config);
    assertThat(data.eval()).isNotEmpty();
    var model = LlamaLoraTrainable.initialize(base.model(), config.lora(), config.seed());
    try (LoraAdapter adapter = model.adapter()) {
      TrainingResult result =
          new Trainer(model, config, data, CheckpointStore.inMemory(), TrainingListener.NONE)
              .run(new StopSignal());
      assertThat(result.bestEvalLoss()).isLessThan(result.initialEvalLoss());
      assertThat(EvalLoss.of(base.model(), adapter, data.eval(), config.microBatchSize()))
          .isEqualTo(result.bestEvalLoss());
      assertThat(EvalLoss.of(base.model(), LoraSet.NONE, data.eval(), config.microBatchSize()))
          .isEqualTo(result.initialEvalLoss()); // B = 0 at step 0: the base model
    }
  }

  @Test
  void theBaseModelAloneIsScoredOnEveryMeasureAndDoesNotDriftFromItself() {
    EvalReport.Builder report = evaluate(inputs(LoraSet.NONE, "", null, null));

    EvalScores scores = report.getBase();
    assertThat(scores.getVersion()).isEmpty();
    assertThat(scores.getEvalLoss()).isFinite().isPositive();
    assertThat(scores.hasPriorEvalLoss()).isFalse(); // no production, no prior split
    assertThat(scores.getGoldenScore()).isBetween(0.0, 1.0);
    assertThat(scores.getGoldenExact()).isZero();
    assertThat(scores.getDrift()).isZero();
    assertThat(scores.getProbePerplexity()).isFinite().isGreaterThanOrEqualTo(1.0);
    // Its own greedy continuation is what it finds likeliest: far below the vocabulary's 512.
    assertThat(scores.getProbePerplexity()).isLessThan(10);

    // LoraSet.NONE as the candidate is the base: no drift, the same numbers.
    assertThat(report.getCandidate()).isEqualTo(scores);
    assertThat(report.hasProduction()).isFalse();
    assertThat(report.getEvalExamples()).isEqualTo(8);
    assertThat(report.getPriorEvalExamples()).isZero();
    assertThat(report.getGoldenPrompts()).isEqualTo(8);
    assertThat(report.getProbePrompts()).isEqualTo(ProbePrompts.TINY_STORIES.size());
    assertThat(report.getGoldenList())
        .hasSize(8)
        .allSatisfy(g -> assertThat(g.getProductionAnswer()).isEmpty());
    assertThat(report.getGolden(0).getPrompt()).isEqualTo(facts.getFirst().prompt());
    assertThat(report.getGolden(0).getExpected()).isEqualTo(facts.getFirst().response());
  }

  @Test
  void whatWasNotMeasuredStaysUnset() {
    EvalReport.Builder report =
        new Evaluator(new EvaluationSettings(List.of("Once upon a time"), 4, 8))
            .evaluate(
                new EvaluationInputs(
                    base,
                    EngineRuns.template(base),
                    EngineRuns.config(base, 1),
                    List.of(),
                    List.of(),
                    List.of(),
                    LoraSet.NONE,
                    "v1",
                    null,
                    null));
    EvalScores c = report.getCandidate();
    assertThat(c.hasEvalLoss()).isFalse();
    assertThat(c.hasPriorEvalLoss()).isFalse();
    assertThat(c.hasGoldenScore() || c.hasGoldenExact() || c.hasGoldenContains()).isFalse();
    assertThat(c.getDrift()).isZero();
    assertThat(report.getProbePrompts()).isEqualTo(1);
    assertThat(report.getGoldenPrompts()).isZero();
    assertThat(report.getGoldenList()).isEmpty();
  }

  @Test
  void aGoldenPromptLongerThanTheContextIsRefusedNamingIt() {
    String longPrompt = "What is a foobear? ".repeat(200);
    var in =
        new EvaluationInputs(
            base,
            EngineRuns.template(base),
            EngineRuns.config(base, 1),
            List.of(),
            List.of(),
            List.of(
                GoldenPrompt.newBuilder().setPrompt("Hi").setExpected("Hello").build(),
                GoldenPrompt.newBuilder().setPrompt(longPrompt).setExpected("x").build()),
            LoraSet.NONE,
            "v1",
            null,
            null);
    assertThatThrownBy(() -> new Evaluator(EvaluationSettings.defaults()).evaluate(in))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "golden prompt 2 (\"What is a foobear? What is a foobear? Wh...\") is 2616")
        .hasMessageEndingWith(
            " tokens, more than the base model's context of 512 leaves room to answer; shorten it");
  }

  @Test
  void aLargeRandomAdapterDriftsFromTheBaseAndFindsItsContinuationsUnlikely() {
    var spec =
        LoraSpec.of(
            8, 16f, LoraTarget.Q, LoraTarget.K, LoraTarget.V, LoraTarget.O, LoraTarget.DOWN);
    try (LoraAdapter random =
        RandomAdapters.inputScaled(base.config(), spec, base.manager(), 11, 0.5f)) {
      int arrays = managedArrays();
      EvalReport.Builder report = evaluate(inputs(random, "random", null, null));
      assertThat(managedArrays()).as("native arrays left behind").isEqualTo(arrays);
      assertThat(report.getCandidate().getVersion()).isEqualTo("random");
      assertThat(report.getCandidate().getDrift()).isGreaterThan(0.5);
      assertThat(report.getCandidate().getProbePerplexity())
          .isGreaterThan(2 * report.getBase().getProbePerplexity());
      assertThat(report.getCandidate().getEvalLoss()).isNotEqualTo(report.getBase().getEvalLoss());
    }
  }

  @Test
  void anAdapterTrainedOnTheFactsAnswersTheirGoldenPromptsBetterThanTheBaseAndProduction()
      throws Exception {
    LlamaLoraTrainable trained = EngineRuns.train(base, facts, 60);
    var spec = LoraSpec.of(8, 16f, LoraTarget.Q, LoraTarget.V);
    try (LoraAdapter candidate = trained.adapter();
        LoraAdapter production =
            RandomAdapters.inputScaled(base.config(), spec, base.manager(), 12, 0.05f)) {
      EvalReport.Builder report = evaluate(inputs(candidate, "v2", production, "v1"));

      EvalScores c = report.getCandidate();
      EvalScores b = report.getBase();
      EvalScores p = report.getProduction();
      assertThat(c.getGoldenScore()).isGreaterThan(0.8).isGreaterThan(b.getGoldenScore() + 0.4);
      assertThat(c.getGoldenContains()).isGreaterThan(b.getGoldenContains());
      assertThat(c.getEvalLoss()).isLessThan(b.getEvalLoss() / 2);
      assertThat(c.getDrift()).isBetween(0.0, 1.0);

      assertThat(p.getVersion()).isEqualTo("v1");
      assertThat(p.getGoldenScore()).isLessThan(c.getGoldenScore());
      assertThat(p.hasPriorEvalLoss()).isTrue();
      assertThat(c.getPriorEvalLoss()).isLessThan(p.getPriorEvalLoss());
      assertThat(report.getPriorEvalExamples()).isEqualTo(3);
      for (GoldenResult g : report.getGoldenList()) {
        assertThat(g.getCandidateF1())
            .isEqualTo(GoldenScore.of(g.getCandidateAnswer(), g.getExpected()).f1());
        assertThat(g.getProductionF1())
            .isEqualTo(GoldenScore.of(g.getProductionAnswer(), g.getExpected()).f1());
      }
      System.out.println(report.getGolden(0));
    }
  }
}
