package dev.tuneloop.bench.train;

import ai.djl.ndarray.NDManager;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.CheckpointContents;
import dev.tuneloop.llm.checkpoint.Llama2cCheckpoint;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.checkpoint.RandomCheckpoints;
import dev.tuneloop.llm.model.Djl;
import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.LlamaModel;
import dev.tuneloop.llm.model.LlamaWeights;
import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.TrainingJobSpec;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * LoRA training throughput (tokens/s through the real training loop: forward, loss, backward,
 * clipping, AdamW) on stories260K and on a random ~40M-parameter Llama written in llama2.c format,
 * next to the matrix-multiply ceiling measured in the same run. A LoRA step costs about 4 ×
 * parameters FLOPs per token (forward 2N, backward through the frozen weights 2N; no weight
 * gradients), so ceiling tokens/s = matmul FLOP/s / (4N).
 */
@Command(
    name = "train-benchmark",
    mixinStandardHelpOptions = true,
    description = "LoRA training tokens/s and peak memory for stories260K and a random ~40M Llama.")
public final class TrainBenchmark implements Callable<Integer> {

  @Option(
      names = "--steps",
      description = "measured optimizer steps per model (default ${DEFAULT-VALUE})")
  int steps = 8;

  @Option(names = "--seq-len", description = "tokens per row (default ${DEFAULT-VALUE})")
  int seqLen = 256;

  @Option(
      names = "--targets",
      description = "LoRA target modules (default ${DEFAULT-VALUE})",
      split = ",")
  List<String> targets = List.of("q_proj", "v_proj");

  @Option(names = "--skip-40m", description = "only benchmark stories260K")
  boolean skip40m;

  public static void main(String[] args) {
    System.exit(new CommandLine(new TrainBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    System.out.printf(
        Locale.ROOT,
        "threads: torch intra-op=%s, cpus=%d, device=%s%n",
        System.getProperty("ai.djl.pytorch.num_threads", "default"),
        Runtime.getRuntime().availableProcessors(),
        Djl.engine().defaultDevice());
    double gflops = MatmulCeiling.gflops(1024);
    System.out.printf(
        Locale.ROOT, "reference: DJL 1024x1024x1024 fp32 matmul %.1f GFLOP/s%n", gflops);
    try (LoadedModel stories = BuiltinModels.stories260K()) {
      report("stories260K", stories.model(), 16, gflops);
    }
    if (!skip40m) {
      LlamaConfig config = LlamaConfig.llama(512, 1376, 8, 8, 8, 32000, 1024, true);
      Path dir = Files.createTempDirectory("tuneloop-train-bench");
      Path bin = dir.resolve("random40m.bin");
      try {
        Llama2cCheckpoint.write(bin, config, RandomCheckpoints.weights(config, 1));
        CheckpointContents contents = Llama2cCheckpoint.read(bin);
        try (NDManager manager = Djl.newManager();
            LlamaModel model =
                new LlamaModel(LlamaWeights.fromStateDict(config, contents.weights(), manager))) {
          report("random40M", model, 4, gflops);
        }
      } finally {
        Files.deleteIfExists(bin);
        Files.deleteIfExists(dir);
      }
    }
    return 0;
  }

  private void report(String name, LlamaModel model, int microBatch, double gflops)
      throws Exception {
    long params = parameters(model.config());
    var spec =
        TrainingJobSpec.newBuilder()
            .setTenant("bench")
            .setAdapterName(name)
            .setBaseModel(name)
            .setDatasetSnapshot("synthetic")
            .setLora(LoraConfig.newBuilder().addAllTargetModules(targets))
            .setMicroBatchSize(microBatch)
            .setEvalFraction(0)
            .setCheckpointSteps(1_000_000);
    List<SupervisedSequence> data =
        randomSequences(microBatch * (steps + 2), seqLen + 1, model.config().vocabSize());
    run(
        model,
        TrainingSpecs.toConfig(spec.setMaxSteps(2).build(), model.config().maxSeqLen()),
        data); // warmup
    long start = System.nanoTime();
    TrainingResult result =
        run(
            model,
            TrainingSpecs.toConfig(spec.setMaxSteps(steps).build(), model.config().maxSeqLen()),
            data);
    double seconds = (System.nanoTime() - start) / 1e9;
    double tokensPerSecond = result.tokensSeen() / seconds;
    double ceiling = gflops * 1e9 / (4.0 * params);
    System.out.printf(
        Locale.ROOT,
        "%s: %.2fM params, LoRA %s, %d x %d tokens per step: %.0f tokens/s"
            + " (%.1f GFLOP/s; ceiling %.0f tokens/s, ratio %.2f), %.2f s/step, peak RSS %.0f MiB%n",
        name,
        params / 1e6,
        String.join("+", targets),
        microBatch,
        seqLen,
        tokensPerSecond,
        tokensPerSecond * 4.0 * params / 1e9,
        ceiling,
        tokensPerSecond / ceiling,
        seconds / steps,
        peakRssMiB());
  }

  private static TrainingResult run(
      LlamaModel model, TrainingConfig config, List<SupervisedSequence> data) throws Exception {
    var trainable = LlamaLoraTrainable.initialize(model, config.lora(), config.seed());
    try {
      return new Trainer(
              trainable,
              config,
              PreparedData.of(data, List.of(), config),
              CheckpointStore.inMemory(),
              TrainingListener.NONE)
          .run(new StopSignal());
    } finally {
      trainable.adapter().close();
    }
  }

  /**
   * Sequences of random tokens, every position after the first supervised (like train_on_inputs).
   */
  private static List<SupervisedSequence> randomSequences(int count, int length, int vocab) {
    var random = new SplittableRandom(1);
    var out = new ArrayList<SupervisedSequence>(count);
    for (int i = 0; i < count; i++) {
      int[] tokens = random.ints(length, 3, vocab).toArray();
      boolean[] supervised = new boolean[length];
      java.util.Arrays.fill(supervised, 1, length, true);
      out.add(new SupervisedSequence(tokens, supervised));
    }
    return out;
  }

  /** Weights of the base model (embedding, projections, norms; the classifier when not shared). */
  static long parameters(LlamaConfig c) {
    long perLayer =
        (long) c.dim() * c.qDim() * 2
            + 2L * c.dim() * c.kvDim()
            + 3L * c.dim() * c.hiddenDim()
            + 2L * c.dim();
    return (long) c.vocabSize() * c.dim() * (c.tiedEmbeddings() ? 1 : 2)
        + c.layers() * perLayer
        + c.dim();
  }

  private static double peakRssMiB() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }
}
