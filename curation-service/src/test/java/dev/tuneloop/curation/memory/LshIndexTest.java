package dev.tuneloop.curation.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LshIndexTest {

  private final MinHash minHash = new MinHash(3);

  @Test
  void minHashEstimatesJaccardWithinThreeStandardErrors() {
    StringBuilder a = new StringBuilder();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      a.append("w").append(i).append(' ');
      b.append("w").append(i < 150 ? i : i + 1000).append(' ');
    }
    Set<String> sa = minHash.shingles(a.toString());
    Set<String> sb = minHash.shingles(b.toString());
    Set<String> common = new HashSet<>(sa);
    common.retainAll(sb);
    Set<String> union = new HashSet<>(sa);
    union.addAll(sb);
    double exact = common.size() / (double) union.size();
    double estimate =
        MinHash.similarity(minHash.signature(a.toString()), minHash.signature(b.toString()));
    double stdErr = Math.sqrt(exact * (1 - exact) / MinHash.SLOTS);
    assertThat(estimate).isCloseTo(exact, within(3 * stdErr));
  }

  @Test
  void bandsPutTheSCurveMidpointBelowTheThreshold() {
    assertThat(LshIndex.rowsFor(0.8)).isEqualTo(8);
    assertThat(LshIndex.rowsFor(0.5)).isEqualTo(4);
  }

  @Test
  void findsTheNearestAboveThresholdAndIgnoresUnrelated() {
    LshIndex index = new LshIndex(0.8);
    String base =
        "the quick brown fox jumps over the lazy dog while the farmer watches from the old wooden fence";
    index.add("a", minHash.signature(base));
    index.add(
        "b",
        minHash.signature(
            "completely different text about invoices payments and refunds for customers"));
    LshIndex.Hit hit = index.nearest(minHash.signature(base + " today"));
    assertThat(hit).isNotNull();
    assertThat(hit.id()).isEqualTo("a");
    assertThat(hit.similarity()).isGreaterThanOrEqualTo(0.8);
    assertThat(
            index.nearest(
                minHash.signature("a note on shipping times to norway and sweden in winter")))
        .isNull();
  }
}
