package dev.tuneloop.curation.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.curation.pipeline.TemplateProfiles;
import dev.tuneloop.curation.policy.CurationPolicy;
import dev.tuneloop.curation.policy.PolicyProperties;
import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detectors against the labelled evaluation set (src/test/resources/eval, see generate.py
 * there): realistic support tickets, good and bad per reason, split into a dev half the detectors
 * were tuned on and a held-out half. Targets on both halves: recall at least 0.95 per reason and at
 * most 2% of good rows rejected. Rejection is the PII outcome measured here (pii: reject); the
 * default redact finds the same matches.
 */
class CurationEvalTest {

  static final List<String> REASONS =
      List.of("NEAR_DUPLICATE", "TEMPLATE_INJECTION", "REFUSAL", "PII");

  private static CurationEvaluation.Report report;

  @BeforeAll
  static void evaluate() throws Exception {
    Path set = Path.of(CurationEvalTest.class.getResource("/eval/curation-eval.jsonl").toURI());
    List<CurationEvaluation.Row> rows = CurationEvaluation.read(set);
    assertThat(rows).hasSizeGreaterThanOrEqualTo(300);
    // Tickets, not stories: a longer context than stories260K's 512 so only the detectors decide.
    CurationPolicy policy =
        PolicyProperties.parse(Map.of("defaults.pii", "reject", "defaults.max-seq-len", "4096"))
            .defaults();
    TemplateProfile template =
        new TemplateProfiles(Llama2cTokenizer.stories260K()).forPolicy(policy);
    report = CurationEvaluation.run(rows, policy, template);
    System.out.println(report.table());
    report
        .cells()
        .forEach(
            (split, cells) ->
                cells.forEach(
                    (label, cell) ->
                        cell.missed()
                            .forEach(m -> System.out.println(split + " " + label + ": " + m))));
  }

  @Test
  void everyReasonIsCaughtInAtLeast95PercentOfItsRowsInBothHalves() {
    for (String split : List.of("dev", "heldout")) {
      for (String reason : REASONS) {
        CurationEvaluation.Cell cell = report.cell(split, reason);
        assertThat(cell.rows()).as(split + " " + reason + " rows").isGreaterThanOrEqualTo(20);
        assertThat(cell.rate())
            .as(split + " " + reason + " recall; missed " + cell.missed())
            .isGreaterThanOrEqualTo(0.95);
      }
    }
  }

  @Test
  void atMostTwoPercentOfGoodRowsAreRejectedInBothHalves() {
    for (String split : List.of("dev", "heldout")) {
      CurationEvaluation.Cell good = report.cell(split, "good");
      assertThat(good.rows()).as(split + " good rows").isGreaterThanOrEqualTo(60);
      assertThat(good.rate())
          .as(split + " false rejection; rejected " + good.missed())
          .isLessThanOrEqualTo(0.02);
    }
  }
}
