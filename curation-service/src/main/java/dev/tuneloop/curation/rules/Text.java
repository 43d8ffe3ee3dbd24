package dev.tuneloop.curation.rules;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Word-level views of text used by similarity rules: lower case, punctuation dropped, Unicode letters and digits kept. */
public final class Text {

  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

  private Text() {}

  public static List<String> words(String text) {
    String cleaned = NON_WORD.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
    return cleaned.isEmpty() ? List.of() : Arrays.asList(cleaned.split(" "));
  }

  /** Words joined by single spaces: the same sentence with different case, punctuation or spacing maps to one key. */
  public static String key(String text) {
    return String.join(" ", words(text));
  }

  public static double jaccard(Set<String> a, Set<String> b) {
    if (a.isEmpty() && b.isEmpty()) {
      return 1;
    }
    Set<String> union = new HashSet<>(a);
    union.addAll(b);
    Set<String> common = new HashSet<>(a);
    common.retainAll(b);
    return common.size() / (double) union.size();
  }
}
