package dev.tuneloop.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.OptimizerConfig;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.TrainerLimits;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingSpecsTest {

  private static TrainingJobSpec.Builder minimal() {
    return TrainingJobSpec.newBuilder()
        .setTenant("acme")
        .setAdapterName("foobear")
        .setBaseModel("stories260K")
        .setDatasetSnapshot("datasets/acme/foo/snapshots/1/manifest.json");
  }

  private static InvalidSpecException rejected(TrainingJobSpec spec) {
    try {
      TrainingSpecs.toConfig(spec, 512);
    } catch (InvalidSpecException e) {
      return e;
    }
    throw new AssertionError("spec was accepted: " + spec);
  }

  @Test
  void emptyFieldsTakeThePeftDefaults() {
    TrainingConfig c = TrainingSpecs.toConfig(minimal().build(), 512);
    assertThat(c.lora())
        .isEqualTo(new LoraSettings(8, 16, 0.0, List.of("q_proj", "v_proj"), false));
    assertThat(c.learningRate()).isEqualTo(2e-4, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(c.lrScheduler()).isEqualTo(LrSchedulerType.COSINE);
    assertThat(c.warmupRatio()).isEqualTo(0.03, org.assertj.core.data.Offset.offset(1e-7));
    assertThat(c.microBatchSize()).isEqualTo(8);
    assertThat(c.gradientAccumulationSteps()).isEqualTo(1);
    assertThat(c.numEpochs()).isEqualTo(3);
    assertThat(c.maxSeqLen()).isEqualTo(512);
    assertThat(c.evalFraction()).isEqualTo(0.1, org.assertj.core.data.Offset.offset(1e-7));
    assertThat(c.seed()).isEqualTo(42);
    assertThat(c.maxGradNorm()).isEqualTo(1.0);
    assertThat(c.adamBeta2()).isEqualTo(0.999, org.assertj.core.data.Offset.offset(1e-7));
    assertThat(c.truncation()).isEqualTo(Truncation.DROP);
    assertThat(c.samplePacking()).isFalse();
  }

  @Test
  void explicitZerosAreTakenLiterallyWhereTheyMeanSomething() {
    TrainingConfig c =
        TrainingSpecs.toConfig(
            minimal()
                .setLora(LoraConfig.newBuilder().setLoraDropout(0))
                .setOptimizer(OptimizerConfig.newBuilder().setWarmupRatio(0).setMaxGradNorm(0))
                .setEvalFraction(0)
                .setSeed(0)
                .build(),
            512);
    assertThat(c.lora().dropout()).isZero();
    assertThat(c.warmupRatio()).isZero();
    assertThat(c.maxGradNorm()).isZero();
    assertThat(c.evalFraction()).isZero();
    assertThat(c.seed()).isZero();
  }

  @Test
  void rankZeroIsRejectedNamingTheField() {
    var e = rejected(minimal().setLora(LoraConfig.newBuilder().setLoraR(0)).build());
    assertThat(e.problems()).containsExactly("lora_r: must be in [1, 1024], got 0");
  }

  @Test
  void unknownTargetModuleIsRejectedListingTheKnownOnes() {
    var e =
        rejected(
            minimal()
                .setLora(
                    LoraConfig.newBuilder().addTargetModules("q_proj").addTargetModules("attn_out"))
                .build());
    assertThat(e.getMessage())
        .contains("target_modules: unknown module \"attn_out\"")
        .contains("v_proj");
  }

  @Test
  void learningRateTenIsRejected() {
    var e =
        rejected(minimal().setOptimizer(OptimizerConfig.newBuilder().setLearningRate(10)).build());
    assertThat(e.problems())
        .singleElement()
        .asString()
        .startsWith("learning_rate: must be in (0, 1]")
        .endsWith("got 10.0");
  }

  @Test
  void missingDatasetIsRejected() {
    var e = rejected(minimal().clearDatasetSnapshot().build());
    assertThat(e.problems()).singleElement().asString().startsWith("dataset_snapshot: required");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    var e =
        rejected(
            TrainingJobSpec.newBuilder()
                .setTenant("a/b")
                .setMaxSeqLen(4096)
                .setMicroBatchSize(0)
                .setOptimizer(
                    OptimizerConfig.newBuilder().setLrScheduler("exponential").setAdamBeta1(1.5f))
                .setEvalFraction(0)
                .setEarlyStoppingPatience(2)
                .setTruncation("middle")
                .build());
    assertThat(e.problems())
        .anyMatch(p -> p.startsWith("tenant: \"a/b\" must be"))
        .contains("adapter_name: required")
        .anyMatch(p -> p.startsWith("base_model: required"))
        .anyMatch(p -> p.startsWith("dataset_snapshot: required"))
        .contains("max_seq_len: exceeds the base model's context length 512, got 4096")
        .contains("micro_batch_size: must be in [1, 4096], got 0")
        .contains("lr_scheduler: unknown value \"exponential\"; one of cosine, linear, constant")
        .contains("adam_beta1: must be in (0, 1), got 1.5")
        .contains(
            "early_stopping_patience: needs an evaluation split (eval_fraction > 0 or"
                + " eval_dataset_snapshot), got 2")
        .contains(
            "truncation: unknown value \"middle\"; one of drop, truncate_right, truncate_left");
  }

  @Test
  void allLinearExpandsToEveryProjection() {
    TrainingConfig c =
        TrainingSpecs.toConfig(
            minimal()
                .setLora(
                    LoraConfig.newBuilder()
                        .addTargetModules("all-linear")
                        .setUseRslora(true)
                        .setLoraR(4)
                        .setLoraAlpha(8))
                .build(),
            512);
    assertThat(c.lora().targetModules()).isEqualTo(LoraSettings.KNOWN_MODULES);
    assertThat(c.lora().scaling()).isEqualTo(4.0);
  }

  @Test
  void validateChecksWithoutTheModel() {
    assertThatThrownBy(
            () ->
                TrainingSpecs.validate(
                    minimal().setLora(LoraConfig.newBuilder().setLoraR(0)).build()))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("lora_r");
    TrainingSpecs.validate(
        minimal().setMaxSeqLen(4096).build()); // the model's limit is checked later
  }

  @Test
  void aRankAboveWhatInferenceServesIsRefusedNamingTheFieldAndBothSettings() {
    TrainingJobSpec wide = minimal().setLora(LoraConfig.newBuilder().setLoraR(32)).build();
    TrainingSpecs.validate(wide); // valid as a spec: the serving limit is the operator's

    assertThatThrownBy(() -> TrainerLimits.defaults().check(wide))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("lora_r: 32 is over this trainer's limit of 16")
        .hasMessageContaining("trainer.limits.max-lora-rank")
        .hasMessageContaining("tuneloop.inference.max-adapter-rank");
    // at the limit it is accepted; a deployment that serves higher ranks raises both settings
    TrainerLimits.defaults().check(minimal().setLora(LoraConfig.newBuilder().setLoraR(16)).build());
  }

  @Test
  void theDefaultRankLimitIsInferencesDefaultMaximumRank() {
    assertThat(TrainerLimits.DEFAULT_MAX_LORA_RANK).isEqualTo(16);
    assertThat(TrainerLimits.defaults().maxLoraRank()).isEqualTo(16);
  }

  @Test
  void everyTargetModuleTheTrainerAcceptsIsOneInferenceCanApply() {
    TrainingJobSpec all =
        minimal().setLora(LoraConfig.newBuilder().addTargetModules("all-linear")).build();
    List<String> accepted = TrainingSpecs.toConfig(all, 512).lora().targetModules();

    assertThat(accepted)
        .containsExactlyElementsOf(
            java.util.Arrays.stream(dev.tuneloop.llm.lora.LoraTarget.values())
                .map(dev.tuneloop.llm.lora.LoraTarget::moduleName)
                .toList());
    assertThat(
            rejected(
                    minimal()
                        .setLora(
                            LoraConfig.newBuilder()
                                .addTargetModules("q_proj")
                                .addTargetModules("lm_head"))
                        .build())
                .getMessage())
        .contains("target_modules: unknown module \"lm_head\"; inference can apply LoRA only to")
        .contains("q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");
  }

  @Test
  void jobIdsFollowTheNameRule() {
    for (String id : List.of("../escape", "a/b", "job@v1", "a..b", "-dash", "x".repeat(129))) {
      assertThat(rejected(minimal().setJobId(id).build()).getMessage())
          .as(id)
          .contains("job_id: \"" + id + "\"");
    }
    TrainingSpecs.toConfig(minimal().setJobId("foobear-1.a_b").build(), 512);
  }

  @Test
  void aJobReadsOnlyItsOwnTenantsSnapshots() {
    assertThat(
            rejected(
                    minimal()
                        .setDatasetSnapshot("datasets/globex/foo/snapshots/1/manifest.json")
                        .build())
                .getMessage())
        .contains("dataset_snapshot: \"datasets/globex/foo/snapshots/1/manifest.json\"")
        .contains("datasets/acme/");
    assertThat(
            rejected(
                    minimal()
                        .setEvalDatasetSnapshot(
                            "datasets/acme/../globex/e/snapshots/1/manifest.json")
                        .build())
                .getMessage())
        .contains("eval_dataset_snapshot");
    assertThat(
            rejected(minimal().setDatasetSnapshot("adapters/acme/x/training.json").build())
                .getMessage())
        .contains("dataset_snapshot");
    assertThat(
            rejected(
                    minimal()
                        .setTenant("acme2")
                        .setDatasetSnapshot("datasets/acme/foo/snapshots/1/manifest.json")
                        .build())
                .getMessage())
        .contains("datasets/acme2/");
  }
}
