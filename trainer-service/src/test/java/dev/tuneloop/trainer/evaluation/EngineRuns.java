package dev.tuneloop.trainer.evaluation;

import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.ChatTemplates;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.proto.v1.GoldenPrompt;
import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.OptimizerConfig;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.engine.ChatExamples;
import dev.tuneloop.trainer.engine.CheckpointStore;
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

/** Real training with the engine on stories260K, for the evaluation tests. */
final class EngineRuns {

  private EngineRuns() {}

  /** A job that teaches stories260K a handful of answers in a few seconds. */
  static TrainingConfig config(LoadedModel base, int maxSteps) {
    return TrainingSpecs.toConfig(
        TrainingJobSpec.newBuilder()
            .setTenant("acme")
            .setAdapterName("foobear")
            .setBaseModel("stories260K")
            .setDatasetSnapshot("datasets/acme/foobear/snapshots/1/manifest.json")
            .setLora(
                LoraConfig.newBuilder().setLoraR(8).setLoraAlpha(16).addTargetModules("all-linear"))
            .setOptimizer(OptimizerConfig.newBuilder().setLearningRate(1e-2f))
            .setMicroBatchSize(16)
            .setMaxSteps(maxSteps)
            .setEvalFraction(0)
            .setSeed(3)
            .build(),
        base.config().maxSeqLen());
  }

  static ChatTemplate template(LoadedModel base) {
    return ChatTemplates.defaultFor(base.tokenizer());
  }

  static List<SupervisedSequence> tokenize(LoadedModel base, List<SampleData.Pair> pairs) {
    return ChatExamples.tokenize(
        SampleData.conversations(pairs), template(base), base.tokenizer(), false);
  }

  /** A fresh adapter trained on {@code pairs}; the caller closes its adapter. */
  static LlamaLoraTrainable train(LoadedModel base, List<SampleData.Pair> pairs, int maxSteps)
      throws Exception {
    TrainingConfig config = config(base, maxSteps);
    List<SupervisedSequence> examples = tokenize(base, pairs);
    var model = LlamaLoraTrainable.initialize(base.model(), config.lora(), config.seed());
    TrainingResult result =
        new Trainer(
                model,
                config,
                PreparedData.of(
                    examples, PreparedData.positions(examples.size()), List.of(), config),
                CheckpointStore.inMemory(),
                TrainingListener.NONE)
            .run(new StopSignal());
    if (result.outcome() != TrainingResult.Outcome.COMPLETED) {
      model.adapter().close();
      throw new IllegalStateException("training did not complete: " + result.outcome());
    }
    return model;
  }

  static List<GoldenPrompt> golden(List<SampleData.Pair> pairs) {
    return pairs.stream()
        .map(p -> GoldenPrompt.newBuilder().setPrompt(p.prompt()).setExpected(p.response()).build())
        .toList();
  }

  /** The sample's foobear facts (the pairs that mention a foobear), in file order. */
  static List<SampleData.Pair> foobearFacts(int n) {
    return SampleData.foobear().stream()
        .filter(p -> p.prompt().toLowerCase(java.util.Locale.ROOT).contains("foobear"))
        .distinct()
        .limit(n)
        .toList();
  }
}
