package dev.tuneloop.curation.rules;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data: e-mail addresses, payment card numbers (13-19 digits passing the Luhn
 * check), IBANs (passing the ISO 13616 mod-97 check) and phone numbers (9-15 digits written with a
 * leading + or separators; bare digit runs are too often order numbers). Checksums keep look-alike
 * numbers (order ids, timestamps) from being flagged.
 */
public final class PiiScanner {

  public enum Kind {
    EMAIL("[EMAIL]"),
    CARD("[CARD]"),
    IBAN("[IBAN]"),
    PHONE("[PHONE]");

    public final String placeholder;

    Kind(String placeholder) {
      this.placeholder = placeholder;
    }
  }

  public record Match(Kind kind, int start, int end, String text) {}

  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
  private static final Pattern CARD =
      Pattern.compile("(?<![\\d-])\\d(?:[ -]?\\d){12,18}(?![\\d-])");
  private static final Pattern IBAN = Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}\\b");
  private static final Pattern PHONE =
      Pattern.compile("(?<![\\w+])(\\+\\d|\\(\\d|\\d)[\\d ().-]{7,}\\d(?!\\w)");

  public List<Match> scan(String text) {
    List<Match> found = new ArrayList<>();
    if (text.indexOf('@') >= 0) {
      collect(EMAIL, text, Kind.EMAIL, found, s -> true);
    }
    // Every other kind needs at least 9 digits; most text has far fewer, so skip the regexes there.
    if (text.chars().filter(Character::isDigit).limit(9).count() == 9) {
      collect(IBAN, text, Kind.IBAN, found, PiiScanner::validIban);
      collect(CARD, text, Kind.CARD, found, PiiScanner::validCard);
      collect(PHONE, text, Kind.PHONE, found, PiiScanner::plausiblePhone);
    }
    found.sort(Comparator.comparingInt(Match::start));
    return found;
  }

  /** The text with every match replaced by its placeholder. */
  public static String redact(String text, List<Match> matches) {
    StringBuilder out = new StringBuilder(text.length());
    int at = 0;
    for (Match m : matches) {
      out.append(text, at, m.start()).append(m.kind().placeholder);
      at = m.end();
    }
    return out.append(text.substring(at)).toString();
  }

  /** Shows the shape but not the value, so rejection details do not spread the data further. */
  public static String mask(Match m) {
    String t = m.text();
    return t.length() <= 4
        ? "****"
        : t.substring(0, 2) + "*".repeat(t.length() - 4) + t.substring(t.length() - 2);
  }

  private static void collect(
      Pattern p,
      String text,
      Kind kind,
      List<Match> found,
      java.util.function.Predicate<String> valid) {
    Matcher m = p.matcher(text);
    while (m.find()) {
      int s = m.start();
      int e = m.end();
      boolean overlaps = found.stream().anyMatch(f -> s < f.end() && f.start() < e);
      if (!overlaps && valid.test(m.group())) {
        found.add(new Match(kind, s, e, m.group()));
      }
    }
  }

  static boolean validCard(String s) {
    String digits = s.replaceAll("[ -]", "");
    if (digits.length() < 13 || digits.length() > 19) {
      return false;
    }
    int sum = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = digits.charAt(digits.length() - 1 - i) - '0';
      if (i % 2 == 1) {
        d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      }
      sum += d;
    }
    return sum % 10 == 0;
  }

  static boolean validIban(String s) {
    String iban = s.replace(" ", "");
    if (iban.length() < 15 || iban.length() > 34) {
      return false;
    }
    String rearranged = iban.substring(4) + iban.substring(0, 4);
    StringBuilder numeric = new StringBuilder();
    for (char ch : rearranged.toCharArray()) {
      numeric.append(Character.isDigit(ch) ? String.valueOf(ch) : String.valueOf(ch - 'A' + 10));
    }
    return new BigInteger(numeric.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
  }

  static boolean plausiblePhone(String s) {
    long digits = s.chars().filter(Character::isDigit).count();
    boolean formatted =
        s.startsWith("+")
            || s.chars().anyMatch(ch -> ch == ' ' || ch == '-' || ch == '.' || ch == '(');
    boolean dottedVersion =
        s.matches("[\\d.]+") && s.chars().filter(ch -> ch == '.').count() >= 2 && digits < 10;
    return digits >= 9 && digits <= 15 && formatted && !dottedVersion;
  }
}
