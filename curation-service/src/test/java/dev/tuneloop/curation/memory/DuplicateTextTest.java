package dev.tuneloop.curation.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DuplicateTextTest {

  @Test
  void greetingsIntroductionsSignOffsAndPolitenessFoldAway() {
    String plain = DuplicateText.fold("My order 4829301756 still says processing. Can you check?");
    assertThat(
            DuplicateText.fold(
                "Hi, this is Dana. My order 4829301756 still says processing. Can you please"
                    + " check?\n\nThanks,\nPriya"))
        .isEqualTo(plain);
    assertThat(
            DuplicateText.fold(
                "Hello, it's Sam here. my order 4829301756 still says processing!! can you just"
                    + " check? Kind regards"))
        .isEqualTo(plain);
    assertThat(plain).isEqualTo("my order 4829301756 still says processing can check");
  }

  @Test
  void contractionsFoldToTheirLongForm() {
    assertThat(DuplicateText.fold("It's not working and I can't log in"))
        .isEqualTo(DuplicateText.fold("It is not working and I cannot log in"));
  }

  @Test
  void contentWordsAndNumbersStay() {
    assertThat(DuplicateText.fold("Refund order 12 please"))
        .isNotEqualTo(DuplicateText.fold("Refund order 13 please"));
    assertThat(DuplicateText.fold("Hi, the blue sofa is damaged"))
        .isEqualTo("the blue sofa is damaged");
  }

  @Test
  void characterShinglesKeepATypoVariantAboveTheThresholdWhereWordShinglesDoNot() {
    String answer =
        " Yes, at checkout choose Pay in 3. It splits the total into three interest-free monthly"
            + " payments.";
    String a = DuplicateText.fold("Can I pay in instalments?" + answer);
    String b = DuplicateText.fold("Can  I pay in intsalments?" + answer);
    assertThat(jaccard(new MinHash(5, true), a, b)).isGreaterThanOrEqualTo(0.8);
    assertThat(jaccard(new MinHash(3, false), a, b)).isLessThan(0.8);
  }

  private static double jaccard(MinHash m, String a, String b) {
    Set<String> sa = m.shingles(a);
    Set<String> sb = m.shingles(b);
    Set<String> common = new HashSet<>(sa);
    common.retainAll(sb);
    Set<String> union = new HashSet<>(sa);
    union.addAll(sb);
    return common.size() / (double) union.size();
  }
}
