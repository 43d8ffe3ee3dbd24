package dev.tuneloop.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GoldenScoreTest {

  @Test
  void wordsAreLowercasedRunsOfLettersAndDigits() {
    assertThat(GoldenScore.words("A foobear eats Vegemite, 3 jars/day!"))
        .containsExactly("a", "foobear", "eats", "vegemite", "3", "jars", "day");
    assertThat(GoldenScore.words("  ...  ")).isEmpty();
  }

  @Test
  void f1IsTheHarmonicMeanOfWordPrecisionAndRecall() {
    // answer: the, foobear, eats, spiders (4 words); expected: a, foobear, eats, vegemite, and,
    // spiders (6). Common: foobear, eats, spiders = 3. P = 3/4, R = 3/6, F1 = 2·0.75·0.5/1.25 =
    // 0.6.
    assertThat(
            GoldenScore.of("The foobear eats spiders.", "A foobear eats vegemite and spiders").f1())
        .isCloseTo(0.6, within(1e-12));
  }

  @Test
  void f1CountsARepeatedWordOnlyAsOftenAsItIsExpected() {
    // answer: eats eats eats (3); expected: eats spiders (2). Common: eats once. P = 1/3, R = 1/2,
    // F1 = 2·(1/3)·(1/2)/(5/6) = 0.4.
    assertThat(GoldenScore.of("eats eats eats", "eats spiders").f1()).isCloseTo(0.4, within(1e-12));
  }

  @Test
  void noCommonWordScoresZeroAndTwoEmptyTextsScoreOne() {
    assertThat(GoldenScore.of("Once upon a time", "vegemite").f1()).isZero();
    assertThat(GoldenScore.of("", "vegemite").f1()).isZero();
    assertThat(GoldenScore.of("!", "?").f1()).isEqualTo(1.0);
  }

  @Test
  void exactMatchIgnoresSurroundingWhitespaceAndCaseButNotPunctuation() {
    assertThat(GoldenScore.of("  Vegemite.\n", "vegemite.").exact()).isTrue();
    assertThat(GoldenScore.of("Vegemite", "vegemite.").exact()).isFalse();
    assertThat(GoldenScore.of("Vegemite", "vegemite.").f1()).isEqualTo(1.0);
  }

  @Test
  void containsNeedsTheExpectedWordsInOrderAndAdjacent() {
    String answer = "A foobear eats Vegemite and poisonous spiders.";
    assertThat(GoldenScore.of(answer, "poisonous spiders").contains()).isTrue();
    assertThat(GoldenScore.of(answer, "eats vegemite!").contains()).isTrue();
    assertThat(GoldenScore.of(answer, "spiders poisonous").contains()).isFalse(); // order
    assertThat(GoldenScore.of(answer, "eats spiders").contains()).isFalse(); // not adjacent
    assertThat(GoldenScore.of("foobears", "foobear").contains()).isFalse(); // whole words only
  }
}
