package dev.tuneloop.curation.memory;

import dev.tuneloop.curation.text.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The text near-duplicate detection compares: what a person reads past when deciding whether two
 * tickets are the same. Greetings ("Hi Sam,", "Hello, it's Dana here."), sign-offs ("Thanks,
 * Priya", "Kind regards"), politeness and filler words ("please", "kindly", "just"), contractions
 * ("it's" = "it is"), case and punctuation are folded away; what is left is the request and the
 * answer. Short support tickets differ in exactly these parts, and on 20-word texts they move
 * word-shingle similarity far below any useful threshold.
 */
public final class DuplicateText {

  // A greeting at the start of a message, with whom it greets ("Hi Sam,", "Hello there team!").
  private static final Pattern GREETING =
      Pattern.compile(
          "^(?:hi|hello|hey|hiya|dear|greetings|good (?:morning|afternoon|evening|day)|howdy)\\b"
              + "[^,.!?\\n]{0,30}[,.!?\\n]\\s*",
          Pattern.CASE_INSENSITIVE);

  // A self-introduction after the greeting: "this is Dana,", "it's Dana Kim here.", "my name is
  // Li."
  private static final Pattern INTRODUCTION =
      Pattern.compile(
          "^(?:(?i:this is|it's|it is|my name is|i'm|i am)) \\p{Lu}[\\p{L}'-]*(?: \\p{Lu}[\\p{L}'-]*)?"
              + "(?: (?i:here))?(?: (?i:from) [^,.!?\\n]{1,30})?[,.!?]\\s*");

  // A sign-off at the end: "Thanks!", "Thank you so much, Priya", "Kind regards,\nSam".
  private static final Pattern SIGN_OFF =
      Pattern.compile(
          "(?:^|[.!?\\n])\\s*(?:thanks|thank you|thx|ty|cheers|regards|best|kind regards|best regards"
              + "|warm regards|many thanks|sincerely|all the best|much appreciated|appreciate it"
              + "|have a (?:great|nice|good|lovely) (?:day|one|weekend))\\b[^.!?\\n]{0,30}[.!?]*"
              + "(?:\\s*\\n\\s*[\\p{L} .'-]{1,30})?\\s*$",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern CANT = Pattern.compile("\\bcan[’']t\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern WONT = Pattern.compile("\\bwon[’']t\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern NT = Pattern.compile("n[’']t\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern CONTRACTION =
      Pattern.compile("[’'](m|re|s|ve|ll|d)\\b", Pattern.CASE_INSENSITIVE);

  /** Words that carry tone, not content. */
  private static final Set<String> FILLER =
      Set.of(
          "please",
          "pls",
          "plz",
          "kindly",
          "thanks",
          "thank",
          "thx",
          "just",
          "really",
          "so",
          "very",
          "actually",
          "basically",
          "um",
          "uh",
          "hi",
          "hello",
          "hey",
          "sorry",
          "oh",
          "ok",
          "okay",
          "well",
          "quick",
          "quickly",
          "you");

  private DuplicateText() {}

  /** The folded words of one message, joined by single spaces. */
  public static String fold(String message) {
    String t = message.strip();
    for (int i = 0; i < 2; i++) { // "Hi team, this is Dana." strips greeting then introduction
      t = GREETING.matcher(t).replaceFirst("");
      t = INTRODUCTION.matcher(t).replaceFirst("");
    }
    // Sign-offs end a message: only its last 90 characters are searched (the regex is costly at
    // every position of a long text). A cut tail starts with a sentinel so that "^" cannot match
    // in the middle of a sentence.
    int tail = Math.max(0, t.length() - 90);
    String end = SIGN_OFF.matcher((tail > 0 ? "\u0000" : "") + t.substring(tail)).replaceFirst("");
    t = t.substring(0, tail) + end.replace("\u0000", "");
    t = CANT.matcher(t).replaceAll("cannot");
    t = WONT.matcher(t).replaceAll("will not");
    t = NT.matcher(t).replaceAll(" not");
    t = CONTRACTION.matcher(t).replaceAll(" $1");
    List<String> kept = new ArrayList<>();
    for (String w : Text.words(t)) {
      String word =
          switch (w) {
            case "m" -> "am";
            case "re" -> "are";
            case "s" -> "is";
            case "ve" -> "have";
            case "ll" -> "will";
            case "d" -> "would";
            default -> w;
          };
      if (!FILLER.contains(word)) {
        kept.add(word.toLowerCase(Locale.ROOT));
      }
    }
    return String.join(" ", kept);
  }
}
