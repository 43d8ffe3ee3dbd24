package dev.tuneloop.curation.text;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Word-level views of text used by similarity rules: lower case, punctuation dropped, Unicode
 * letters and digits kept.
 */
public final class Text {

  private Text() {}

  public static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= text.length(); ) {
      int cp = i < text.length() ? text.codePointAt(i) : ' ';
      boolean wordChar = i < text.length() && Character.isLetterOrDigit(cp);
      if (wordChar && start < 0) {
        start = i;
      } else if (!wordChar && start >= 0) {
        words.add(text.substring(start, i).toLowerCase(Locale.ROOT));
        start = -1;
      }
      i += i < text.length() ? Character.charCount(cp) : 1;
    }
    return words;
  }

  /**
   * Words joined by single spaces: the same sentence with different case, punctuation or spacing
   * maps to one key.
   */
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
