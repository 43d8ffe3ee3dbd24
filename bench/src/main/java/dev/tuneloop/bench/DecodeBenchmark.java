package dev.tuneloop.bench;

import ai.djl.ndarray.NDManager;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.CheckpointContents;
import dev.tuneloop.llm.checkpoint.Llama2cCheckpoint;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.checkpoint.RandomCheckpoints;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.model.DecodeSession;
import dev.tuneloop.llm.model.Djl;
import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.LlamaModel;
import dev.tuneloop.llm.model.LlamaWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Greedy decode throughput of the DJL model on stories260K and on a random-weight ~40M-parameter
 * Llama (written in llama2.c format to a temp dir), each next to references measured in the same
 * run: the machine's memory read bandwidth (which caps a bandwidth-bound decoder at bandwidth /
 * weight bytes tokens/s) and a plain-Java matvec decoder's weight pass over the same weights.
 */
@Command(
    name = "decode-benchmark",
    mixinStandardHelpOptions = true,
    description =
        "Greedy decode tokens/s for stories260K and a random ~40M Llama, with same-run references.")
public final class DecodeBenchmark implements Callable<Integer> {

  @Option(
      names = "--tokens",
      description = "tokens decoded per measured run (default ${DEFAULT-VALUE})")
  int tokens = 256;

  @Option(
      names = "--warmup",
      description = "tokens decoded before measuring (default ${DEFAULT-VALUE})")
  int warmup = 32;

  @Option(
      names = "--leak-tokens",
      description = "tokens decoded by the 40M model while watching RSS (default ${DEFAULT-VALUE})")
  int leakTokens = 1000;

  @Option(names = "--skip-40m", description = "only benchmark stories260K")
  boolean skip40m;

  @Option(names = "--skip-stories", description = "only benchmark the random 40M model")
  boolean skipStories;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DecodeBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Djl.engine(); // settles the thread count (one unless -Dai.djl.pytorch.num_threads=N)
    System.out.printf(
        Locale.ROOT,
        "threads: torch intra-op=%s, cpus=%d%n",
        System.getProperty("ai.djl.pytorch.num_threads"),
        Runtime.getRuntime().availableProcessors());
    double bandwidth = MemoryBandwidth.measureGbPerSecond();
    System.out.printf(
        Locale.ROOT,
        "reference: memory read bandwidth %.1f GB/s (sum over a 512 MiB float array)%n",
        bandwidth);

    if (!skipStories) {
      try (LoadedModel stories = BuiltinModels.stories260K()) {
        report("stories260K", stories.model(), bandwidth, Math.min(tokens, 400));
      }
    }
    if (!skip40m) {
      LlamaConfig config = LlamaConfig.llama(512, 1376, 8, 8, 8, 32000, 1024, true);
      Path dir = Files.createTempDirectory("tuneloop-bench");
      Path bin = dir.resolve("random40m.bin");
      try {
        Llama2cCheckpoint.write(bin, config, RandomCheckpoints.weights(config, 1));
        CheckpointContents contents = Llama2cCheckpoint.read(bin);
        try (NDManager manager = Djl.newManager();
            LlamaModel model =
                new LlamaModel(LlamaWeights.fromStateDict(config, contents.weights(), manager))) {
          report("random40M", model, bandwidth, tokens);
          NaiveJavaDecoder naive = new NaiveJavaDecoder(config, contents.weights());
          double naiveSeconds = naive.secondsPerWeightPass(3);
          System.out.printf(
              Locale.ROOT,
              "reference: plain-Java matvec pass over the same weights: %.1f tok/s%n",
              1 / naiveSeconds);
          leakCheck(model, leakTokens);
        }
      } finally {
        Files.deleteIfExists(bin);
        Files.deleteIfExists(dir);
      }
    }
    System.out.printf(Locale.ROOT, "peak RSS %.0f MiB%n", Rss.peakMiB());
    return 0;
  }

  private void report(String name, LlamaModel model, double bandwidthGbs, int count) {
    LlamaWeights w = model.weights();
    double weightBytes = 4.0 * w.parameterCount();
    greedy(model, warmup);
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    greedy(model, count);
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuMs = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6 / count;
    double tps = count / seconds;
    double cap = bandwidthGbs * 1e9 / weightBytes;
    System.out.printf(
        Locale.ROOT,
        "%s: %d params (%.1f MB fp32), %.1f tok/s (%.3f ms/token wall, %.3f ms/token CPU of the calling thread), "
            + "%.1f GB/s of weights; bandwidth cap %.0f tok/s, ratio to cap %.2f; RSS %.0f MiB%n",
        name,
        w.parameterCount(),
        weightBytes / 1e6,
        tps,
        1000 / tps,
        cpuMs,
        tps * weightBytes / 1e9,
        cap,
        tps / cap,
        Rss.currentMiB());
  }

  /** Decodes {@code count} tokens greedily from BOS, returning the last token. */
  static int greedy(LlamaModel model, int count) {
    try (DecodeSession session = model.newSession(1, count + 1, LoraSet.NONE)) {
      float[] logits = session.prefill(new int[][] {{1}})[0];
      int next = 0;
      for (int i = 0; i < count; i++) {
        next = argmax(logits);
        if (i + 1 < count) {
          logits = session.step(next)[0];
        }
      }
      return next;
    }
  }

  private static void leakCheck(LlamaModel model, int count) {
    try (DecodeSession session = model.newSession(1, count + 1, LoraSet.NONE)) {
      float[] logits = session.prefill(new int[][] {{1}})[0];
      double rssAt100 = 0;
      for (int i = 1; i < count; i++) {
        logits = session.step(argmax(logits))[0];
        if (i == 100) {
          rssAt100 = Rss.currentMiB();
        }
      }
      System.out.printf(
          Locale.ROOT,
          "memory: RSS after 100 tokens %.0f MiB, after %d tokens %.0f MiB (growth %.1f MiB)%n",
          rssAt100,
          count,
          Rss.currentMiB(),
          Rss.currentMiB() - rssAt100);
    }
  }

  static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }
}
