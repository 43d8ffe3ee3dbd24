package dev.tuneloop.curation.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.proto.v1.DuplicateCluster;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.QualityReport;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.RejectedExample;
import dev.tuneloop.proto.v1.Rejection;
import org.junit.jupiter.api.Test;

/**
 * The report's caps: excerpt length, clusters tracked and shown (examples per reason: {@code
 * QualityReportKafkaTest}).
 */
class QualityBookTest {

  private static RejectedExample rejected(
      String id, String prompt, RejectReason reason, String detail) {
    return RejectedExample.newBuilder()
        .setExample(
            Example.newBuilder()
                .setId(id)
                .setPair(PromptResponse.newBuilder().setPrompt(prompt).setResponse("Sure.")))
        .addRejections(Rejection.newBuilder().setReason(reason).setDetail(detail))
        .build();
  }

  private static RejectedExample duplicateOf(String curatedId, String id) {
    return rejected(
        id,
        "same again",
        RejectReason.EXACT_DUPLICATE,
        "same content as curated example " + curatedId);
  }

  @Test
  void excerptsAreCutTo200CharactersAfterMaskingPii() {
    QualityBook book = new QualityBook();
    String prompt = "Mail me at jo@example.org, " + "I waited\n\n  ".repeat(40) + "🙂".repeat(300);
    book.rejected("acme/support", rejected("long", prompt, RejectReason.LOW_QUALITY, "too short"));

    String excerpt = book.report("acme", "support").getReasons(0).getExamples(0).getPromptExcerpt();
    assertThat(excerpt.codePointCount(0, excerpt.length())).isEqualTo(QualityBook.EXCERPT_CHARS);
    assertThat(excerpt).startsWith("Mail me at [EMAIL], I waited I waited").endsWith("…");
  }

  @Test
  void clustersTrackedStayCappedAndTheLargestSurvive() {
    QualityBook book = new QualityBook();
    for (int i = 0; i < 5; i++) {
      book.rejected("acme/support", duplicateOf("big", "big-dup-" + i));
    }
    for (int i = 0; i < 3 * QualityBook.MAX_CLUSTERS; i++) {
      book.rejected("acme/support", duplicateOf("single-" + i, "dup-" + i));
    }
    book.rejected(
        "acme/support",
        rejected(
            "near",
            "nearly",
            RejectReason.NEAR_DUPLICATE,
            "83% similar to curated example big (near-duplicate-threshold 80%)"));

    QualityReport report = book.report("acme", "support");
    assertThat(report.getClustersTracked()).isEqualTo(QualityBook.MAX_CLUSTERS);
    assertThat(report.getClustersList()).hasSize(QualityBook.TOP_CLUSTERS);
    DuplicateCluster big = report.getClusters(0);
    assertThat(big.getCuratedExampleId()).isEqualTo("big");
    assertThat(big.getSize()).isEqualTo(6);
    assertThat(big.getExact()).isEqualTo(5);
    assertThat(big.getNear()).isEqualTo(1);
    assertThat(big.getMinSimilarity()).isEqualTo(0.83);
    assertThat(big.getMaxSimilarity()).isEqualTo(1.0);
    assertThat(big.getLatest().getExampleId()).isEqualTo("near");
    assertThat(report.getRejected()).isEqualTo(6 + 3 * QualityBook.MAX_CLUSTERS);
  }

  @Test
  void aRetriedIdIsAnExactDuplicateWithoutACluster() {
    QualityBook book = new QualityBook();
    book.rejected(
        "acme/support",
        rejected(
            "x",
            "again",
            RejectReason.EXACT_DUPLICATE,
            "example id x was already decided (a retried submission)"));

    QualityReport report = book.report("acme", "support");
    assertThat(report.getReasons(0).getCount()).isEqualTo(1);
    assertThat(report.getClustersList()).isEmpty();
  }
}
