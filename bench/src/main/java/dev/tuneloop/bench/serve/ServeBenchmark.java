package dev.tuneloop.bench.serve;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.generate.BatchGenerator;
import dev.tuneloop.llm.generate.BatchRequest;
import dev.tuneloop.llm.generate.GenerationResult;
import dev.tuneloop.llm.generate.Generator;
import dev.tuneloop.llm.generate.SamplingParams;
import dev.tuneloop.llm.generate.TokenListener;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.lora.LoraSpec;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.lora.RandomAdapters;
import dev.tuneloop.llm.lora.ResidentAdapters;
import dev.tuneloop.llm.model.Djl;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Serving throughput on stories260K: N concurrent greedy requests (mixed adapters: the base model
 * and two LoRA adapters in turn) decoded together by {@link BatchGenerator}, against the same
 * requests one after another through {@link Generator}, measured in the same run; prints tokens/s
 * of both and their ratio, and checks that both produced the same tokens.
 */
@Command(
    name = "serve-benchmark",
    mixinStandardHelpOptions = true,
    description = "Batched vs sequential serving tokens/s on stories260K with mixed LoRA adapters.")
public final class ServeBenchmark implements Callable<Integer> {
  private static final String[] PROMPTS = {
    "Once upon a time",
    "Lily and Ben",
    "The little dog",
    "One day, a girl named Sue",
    "The sun was hot",
    "Tom had a big red ball",
    "A bird sat on a tree",
    "There was a cat who liked to"
  };

  @Option(
      names = "--tokens",
      description = "tokens generated per request (default ${DEFAULT-VALUE})")
  int tokens = 128;

  @Option(
      names = "--sizes",
      split = ",",
      description = "concurrent requests per run (default ${DEFAULT-VALUE})")
  int[] sizes = {1, 4, 8};

  @Option(
      names = "--repeats",
      description = "measured runs per size, best kept (default ${DEFAULT-VALUE})")
  int repeats = 3;

  @Option(names = "--base-only", description = "every request on the base model (no adapters)")
  boolean baseOnly;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServeBenchmark()).execute(args));
  }

  @Override
  public Integer call() {
    Djl.engine();
    System.out.printf(
        Locale.ROOT,
        "threads: torch intra-op=%s, cpus=%d; %d greedy tokens per request%n",
        System.getProperty("ai.djl.pytorch.num_threads"),
        Runtime.getRuntime().availableProcessors(),
        tokens);
    try (LoadedModel stories = BuiltinModels.stories260K();
        LoraAdapter alpha =
            RandomAdapters.inputScaled(
                stories.config(),
                LoraSpec.of(8, 16f, LoraTarget.Q, LoraTarget.V),
                stories.manager(),
                1,
                0.1f);
        LoraAdapter beta =
            RandomAdapters.inputScaled(
                stories.config(),
                LoraSpec.of(4, 8f, LoraTarget.values()),
                stories.manager(),
                2,
                0.1f);
        ResidentAdapters resident = new ResidentAdapters(stories.config(), 8, stories.manager())) {
      LoraSet[] adapters =
          baseOnly
              ? new LoraSet[] {LoraSet.NONE, LoraSet.NONE, LoraSet.NONE}
              : new LoraSet[] {LoraSet.NONE, alpha, beta};
      int[] slots =
          baseOnly
              ? new int[3]
              : new int[] {0, resident.put("alpha", alpha), resident.put("beta", beta)};
      Generator generator = new Generator(stories);
      BatchGenerator batch = new BatchGenerator(stories);
      for (BatchRequest q : requests(stories, 8, slots)) { // warm up both paths (JIT, allocator)
        generator.generate(q.prompt(), q.params(), LoraSet.NONE, TokenListener.NONE);
        batch.generate(List.of(q, q), resident);
      }
      System.out.println(
          "   N | sequential tok/s (CPU ms/tok) | batched tok/s (CPU ms/tok) | batched/sequential");
      for (int n : sizes) {
        List<BatchRequest> requests = requests(stories, n, slots);
        Run sequential = null;
        Run batched = null;
        for (int r = 0; r < repeats; r++) {
          sequential =
              best(
                  sequential,
                  measure(
                      () -> {
                        List<GenerationResult> out = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                          BatchRequest q = requests.get(i);
                          out.add(
                              generator.generate(
                                  q.prompt(), q.params(), adapters[i % 3], TokenListener.NONE));
                        }
                        return out;
                      }));
          batched = best(batched, measure(() -> batch.generate(requests, resident)));
        }
        System.out.printf(
            Locale.ROOT,
            "%4d | %10.0f (%5.2f)             | %10.0f (%5.2f)          | %.2fx%s%n",
            n,
            sequential.tokensPerSecond(),
            sequential.cpuMsPerToken(),
            batched.tokensPerSecond(),
            batched.cpuMsPerToken(),
            batched.tokensPerSecond() / sequential.tokensPerSecond(),
            sameTokens(sequential.results, batched.results) ? "" : "  (outputs DIFFER)");
      }
    }
    return 0;
  }

  private List<BatchRequest> requests(LoadedModel stories, int n, int[] slots) {
    List<BatchRequest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] text = stories.tokenizer().encode(PROMPTS[i % PROMPTS.length]);
      int[] prompt = new int[text.length + 1];
      prompt[0] = stories.tokenizer().bosId();
      System.arraycopy(text, 0, prompt, 1, text.length);
      out.add(
          BatchRequest.of(prompt, SamplingParams.greedy(tokens).withStopAtEos(false))
              .withAdapterSlot(slots[i % 3]));
    }
    return out;
  }

  private record Run(
      double seconds, double cpuSeconds, long tokens, List<GenerationResult> results) {
    double tokensPerSecond() {
      return tokens / seconds;
    }

    double cpuMsPerToken() {
      return cpuSeconds * 1000 / tokens;
    }
  }

  private Run measure(java.util.function.Supplier<List<GenerationResult>> work) {
    long cpu = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    List<GenerationResult> results = work.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
    long generated = results.stream().mapToLong(r -> r.tokens().length).sum();
    return new Run(seconds, cpuSeconds, generated, results);
  }

  private static Run best(Run a, Run b) {
    return a == null || b.tokensPerSecond() > a.tokensPerSecond() ? b : a;
  }

  private static boolean sameTokens(List<GenerationResult> a, List<GenerationResult> b) {
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i).tokens(), b.get(i).tokens())) {
        return false;
      }
    }
    return a.size() == b.size();
  }
}
