package dev.tuneloop.trainer.evaluation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How well one answer matches a golden prompt's expected answer, as SQuAD scores reading
 * comprehension: token F1 over the bags of normalised words, exact match, and containment.
 *
 * @param f1 harmonic mean of word precision and recall (0..1); 1 when both have no words
 * @param exact the answer equals the expected one, trimmed and ignoring case
 * @param contains the expected answer's words appear in the answer, in order and adjacent
 */
public record GoldenScore(double f1, boolean exact, boolean contains) {

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

  public static GoldenScore of(String answer, String expected) {
    List<String> got = words(answer);
    List<String> want = words(expected);
    return new GoldenScore(
        f1(got, want),
        answer.strip().toLowerCase(Locale.ROOT).equals(expected.strip().toLowerCase(Locale.ROOT)),
        Collections.indexOfSubList(got, want) >= 0);
  }

  /** Lowercased words of letters and digits; punctuation and whitespace separate them. */
  public static List<String> words(String text) {
    var words = new ArrayList<String>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      words.add(m.group());
    }
    return words;
  }

  static double f1(List<String> answer, List<String> expected) {
    if (answer.isEmpty() || expected.isEmpty()) {
      return answer.isEmpty() && expected.isEmpty() ? 1 : 0;
    }
    Map<String, Integer> left = new HashMap<>();
    expected.forEach(w -> left.merge(w, 1, Integer::sum));
    int common = 0;
    for (String w : answer) {
      Integer n = left.get(w);
      if (n != null && n > 0) {
        left.put(w, n - 1);
        common++;
      }
    }
    if (common == 0) {
      return 0;
    }
    double precision = (double) common / answer.size();
    double recall = (double) common / expected.size();
    return 2 * precision * recall / (precision + recall);
  }
}
