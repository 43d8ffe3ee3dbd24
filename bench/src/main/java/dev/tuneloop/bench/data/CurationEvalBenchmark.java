package dev.tuneloop.bench.data;

import dev.tuneloop.curation.pipeline.TemplateProfiles;
import dev.tuneloop.curation.policy.CurationPolicy;
import dev.tuneloop.curation.policy.PolicyProperties;
import dev.tuneloop.curation.rules.CurationEvaluation;
import dev.tuneloop.curation.rules.TemplateProfile;
import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Curation's detectors on the labelled evaluation set (curation-service/src/test/resources/eval):
 * recall per reason and false rejection of good rows, for the dev half the detectors were tuned on
 * and the held-out half, plus what deciding one example costs. The reference, measured in the same
 * run on the same rows, is the pre-issue-12 configuration: word-trigram shingles and the refusal
 * phrase list without patterns.
 */
@Command(
    name = "curation-eval",
    mixinStandardHelpOptions = true,
    description = "recall and false rejection per reason on the labelled evaluation set")
public final class CurationEvalBenchmark implements Callable<Integer> {

  @Option(names = "--set", description = "labelled JSONL (default ${DEFAULT-VALUE})")
  Path set = Path.of("curation-service/src/test/resources/eval/curation-eval.jsonl");

  @Option(
      names = "--timing-runs",
      description = "passes over the set for the per-example cost (default ${DEFAULT-VALUE})")
  int timingRuns = 20;

  @Option(names = "--misses", description = "list every missed or wrongly rejected row")
  boolean misses;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CurationEvalBenchmark()).execute(args));
  }

  @Override
  public Integer call() {
    List<CurationEvaluation.Row> rows = CurationEvaluation.read(set);
    CurationPolicy current = policy(Map.of());
    CurationPolicy reference =
        policy(
            Map.of("defaults.near-duplicate-shingles", "words", "defaults.refusal-patterns", ""));
    TemplateProfile template =
        new TemplateProfiles(Llama2cTokenizer.stories260K()).forPolicy(current);

    CurationEvaluation.Report report = CurationEvaluation.run(rows, current, template);
    System.out.printf(
        Locale.ROOT, "curation-eval: %d labelled rows from %s (pii: reject)%n%n", rows.size(), set);
    System.out.println(report.table());
    if (misses) {
      report
          .cells()
          .forEach(
              (split, cells) ->
                  cells.forEach(
                      (label, cell) ->
                          cell.missed()
                              .forEach(m -> System.out.println(split + " " + label + ": " + m))));
    }
    System.out.println(
        "reference (word shingles, phrase list only):\n"
            + CurationEvaluation.run(rows, reference, template).table());

    double now = meanNanos(rows, current, template);
    double ref = meanNanos(rows, reference, template);
    System.out.printf(
        Locale.ROOT,
        "cost per example (decide, incl. rendering and token count): %.1f us; reference %.1f us"
            + " (x%.2f), mean of %d passes after one warm-up pass%n",
        now / 1000,
        ref / 1000,
        now / ref,
        timingRuns);
    return 0;
  }

  private double meanNanos(
      List<CurationEvaluation.Row> rows, CurationPolicy policy, TemplateProfile template) {
    CurationEvaluation.run(rows, policy, template); // warm-up
    double sum = 0;
    for (int i = 0; i < timingRuns; i++) {
      sum += CurationEvaluation.run(rows, policy, template).nanosPerExample();
    }
    return sum / timingRuns;
  }

  /**
   * The defaults with rejection for PII (so the set's PII rows count) and a ticket-sized context.
   */
  private static CurationPolicy policy(Map<String, String> overrides) {
    Map<String, String> props = new HashMap<>(overrides);
    props.put("defaults.pii", "reject");
    props.put("defaults.max-seq-len", "4096");
    return PolicyProperties.parse(props).defaults();
  }
}
