package dev.tuneloop.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.ChatTemplates;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.OptimizerConfig;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.testing.GreedyAnswer;
import dev.tuneloop.trainer.testing.SampleData;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LoRA on the real stories260K with the sample data, without Kafka or S3: the engine alone. */
class StoriesLoraTrainingTest {

    static final String PROMPT = "What does a foobear eat?";

    @Test
    void loraTeachesTheFoobearFactAndLowersTheEvalLoss() throws Exception {
        try (LoadedModel loaded = BuiltinModels.stories260K()) {
            ChatTemplate template = ChatTemplates.defaultFor(loaded.tokenizer());
            var pairs = SampleData.foobear();
            String expected = pairs.stream().filter(p -> p.prompt().equals(PROMPT)).findFirst().orElseThrow()
                    .response();
            String before = GreedyAnswer.reply(loaded.model(), loaded.tokenizer(), template, PROMPT, LoraSet.NONE, 40);
            assertThat(before).isNotEqualTo(expected);

            TrainingConfig config = TrainingSpecs.toConfig(TrainingJobSpec.newBuilder().setTenant("t")
                    .setAdapterName("foobear").setBaseModel("stories260K").setDatasetSnapshot("local")
                    .setLora(LoraConfig.newBuilder().setLoraR(8).setLoraAlpha(16).setLoraDropout(0)
                            .addTargetModules("all-linear"))
                    .setOptimizer(OptimizerConfig.newBuilder().setLearningRate(1e-2f))
                    .setMicroBatchSize(16).setMaxSteps(120).setEvalSteps(20)
                    .setEvalFraction(0.1f).build(), loaded.config().maxSeqLen());
            var examples = ChatExamples.tokenize(SampleData.conversations(pairs), template, loaded.tokenizer(), false);
            var data = PreparedData.of(examples, List.of(), config);
            var model = LlamaLoraTrainable.initialize(loaded.model(), config.lora(), config.seed());
            TrainingResult result = new Trainer(model, config, data, CheckpointStore.inMemory(),
                    TrainingListener.NONE).run(new StopSignal());

            String after = GreedyAnswer.reply(loaded.model(), loaded.tokenizer(), template, PROMPT, model.adapter(),
                    40);
            assertThat(result.bestEvalLoss()).isLessThan(result.initialEvalLoss());
            assertThat(after).isEqualTo(expected);
        }
    }
}
