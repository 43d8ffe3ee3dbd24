package dev.tuneloop.curation.retrain;

import dev.tuneloop.curation.policy.CurationPolicy;
import dev.tuneloop.curation.policy.TrainingDefaults;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.OptimizerConfig;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.time.Instant;

/** Builds the training request a dataset's policy asks for. */
public final class TrainingRequests {

  /** {@code TrainingJobSpec.init_from} of a warm start (fresh when the adapter has none). */
  public static final String INIT_FROM_PRODUCTION = "production";

  private TrainingRequests() {}

  /**
   * Job ids are deterministic per snapshot, so the request and the trainer's events can be matched
   * after a restart.
   */
  public static String jobId(String tenant, String adapter, String snapshotId) {
    return "retrain-" + tenant + "-" + adapter + "-" + snapshotId;
  }

  public static TrainingJobSpec spec(
      String tenant,
      String adapter,
      String manifestKey,
      String snapshotId,
      CurationPolicy policy,
      String templateName,
      Instant now) {
    TrainingDefaults t = policy.training();
    LoraConfig.Builder lora = LoraConfig.newBuilder();
    if (t.loraR() > 0) {
      lora.setLoraR(t.loraR());
    }
    if (t.loraAlpha() > 0) {
      lora.setLoraAlpha(t.loraAlpha());
    }
    lora.addAllTargetModules(t.targetModules());
    OptimizerConfig.Builder optimizer = OptimizerConfig.newBuilder();
    if (t.learningRate() > 0) {
      optimizer.setLearningRate(t.learningRate());
    }
    TrainingJobSpec.Builder spec =
        TrainingJobSpec.newBuilder()
            .setJobId(jobId(tenant, adapter, snapshotId))
            .setTenant(tenant)
            .setAdapterName(adapter)
            .setBaseModel(t.baseModel())
            .setDatasetSnapshot(manifestKey)
            .setChatTemplate(t.chatTemplate().isBlank() ? templateName : t.chatTemplate())
            .setLora(lora)
            .setOptimizer(optimizer)
            .setMaxSeqLen(policy.maxSeqLen())
            .setMaxSteps(t.maxSteps())
            .setRequestedAt(Timestamps.of(now))
            .setRequestedBy(RetrainPlanner.REQUESTED_BY)
            // Explicit, so the trainer splits by the same fraction the snapshot's eval records
            // were carried for.
            .setEvalFraction((float) t.evalFraction());
    if (policy.retrain().warmStart()) {
      spec.setInitFrom(INIT_FROM_PRODUCTION);
    }
    if (t.numEpochs() > 0) {
      spec.setNumEpochs(t.numEpochs());
    }
    if (t.microBatchSize() > 0) {
      spec.setMicroBatchSize(t.microBatchSize());
    }
    return spec.build();
  }
}
