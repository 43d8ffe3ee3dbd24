package dev.tuneloop.curation.rules;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds personal data: e-mail addresses, payment card numbers (13-19 digits passing the Luhn
 * check), IBANs (passing the ISO 13616 mod-97 check), US social security numbers (outside the
 * ranges never issued), UK national insurance numbers (valid prefixes only) and phone numbers: 9-15
 * digits written with a leading + or separators, or a bare 10-digit (or 1 + 10) North American
 * number whose area code and exchange start with 2-9 as NANP requires. Checksums, number-plan rules
 * and the words before a number ("order", "invoice", "tracking", "#") keep look-alikes such as
 * order ids, dates and timestamps from being flagged.
 */
public final class PiiScanner {

  public enum Kind {
    EMAIL("[EMAIL]"),
    CARD("[CARD]"),
    IBAN("[IBAN]"),
    SSN("[SSN]"),
    NI_NUMBER("[NI_NUMBER]"),
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
  private static final Pattern SSN =
      Pattern.compile("(?<![\\d-])(\\d{3})([- ])(\\d{2})\\2(\\d{4})(?![\\d-])");
  // A bare 9-digit SSN only where the text says it is one.
  private static final Pattern SSN_BARE =
      Pattern.compile("(?i)(?:ssn|social security(?: number| no\\.?)?)\\W{0,20}(\\d{9})(?!\\d)");
  // HMRC: no D, F, I, Q, U, V in the prefix, no O second, never BG GB NK KN TN NT ZZ; suffix A-D.
  private static final Pattern NI_NUMBER =
      Pattern.compile(
          "(?i)\\b(?!bg|gb|nk|kn|tn|nt|zz)[a-ceghj-pr-tw-z][a-ceghj-npr-tw-z]"
              + " ?\\d{2} ?\\d{2} ?\\d{2} ?[a-d]\\b");
  // Words that make a number after them an identifier, and words that make it a phone number.
  private static final Pattern ID_WORD =
      Pattern.compile(
          "(?i)\\b(?:order|invoice|ticket|tracking|ref|reference|account|acct|case|confirmation"
              + "|transaction|serial|sku|po|item|id|imei|booking|receipt|member|customer|policy"
              + "|claim|part|model|lot|batch|version|build)\\b|#|\\bno\\.");
  private static final Pattern PHONE_WORD =
      Pattern.compile(
          "(?i)\\b(?:call|calling|phone|mobile|cell|tel|telephone|text|reach|ring|contact"
              + "|whatsapp|sms|fax|dial)\\b");
  private static final Pattern DATE_TIME =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}.*|.*\\d{2}[-/.]\\d{2}[-/.]\\d{4}.*");

  public List<Match> scan(String text) {
    List<Match> found = new ArrayList<>();
    if (text.indexOf('@') >= 0) {
      collect(EMAIL, text, Kind.EMAIL, found, s -> true);
    }
    // Every other kind needs at least 6 digits (most 9); most text has fewer, so skip the regexes.
    long digits = text.chars().filter(Character::isDigit).limit(9).count();
    if (digits >= 9) {
      collect(IBAN, text, Kind.IBAN, found, PiiScanner::validIban);
      collect(CARD, text, Kind.CARD, found, PiiScanner::validCard);
      collect(SSN, text, Kind.SSN, found, PiiScanner::validSsn);
      collectGroup(SSN_BARE, text, Kind.SSN, found);
    }
    if (digits >= 6) {
      collect(NI_NUMBER, text, Kind.NI_NUMBER, found, s -> true);
    }
    if (digits >= 9) {
      Matcher m = PHONE.matcher(text);
      while (m.find()) {
        if (plausiblePhone(m.group()) && !identifierContext(text, m.start())) {
          add(found, Kind.PHONE, m.start(), m.end(), m.group());
        }
      }
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
      if (valid.test(m.group())) {
        add(found, kind, m.start(), m.end(), m.group());
      }
    }
  }

  /** Matches whose personal part is group 1 (the words before it are context, kept). */
  private static void collectGroup(Pattern p, String text, Kind kind, List<Match> found) {
    Matcher m = p.matcher(text);
    while (m.find()) {
      add(found, kind, m.start(1), m.end(1), m.group(1));
    }
  }

  private static void add(List<Match> found, Kind kind, int s, int e, String text) {
    boolean overlaps = found.stream().anyMatch(f -> s < f.end() && f.start() < e);
    if (!overlaps) {
      found.add(new Match(kind, s, e, text));
    }
  }

  /**
   * Whether the words just before a number say it is an order, ticket, serial, part... number: an
   * identifier word within 40 characters, with no phone word ("call", "mobile", "reach") after it.
   */
  static boolean identifierContext(String text, int start) {
    if (start > 0 && "-/#".indexOf(text.charAt(start - 1)) >= 0) {
      return true; // part of a longer code: "ORD-4155550123", "#4155550123"
    }
    String before = text.substring(Math.max(0, start - 40), start);
    int id = lastMatch(ID_WORD, before);
    return id >= 0 && id > lastMatch(PHONE_WORD, before);
  }

  private static int lastMatch(Pattern p, String s) {
    int last = -1;
    Matcher m = p.matcher(s);
    while (m.find()) {
      last = m.start();
    }
    return last;
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
    if (!formatted) {
      return nanp(s);
    }
    return digits >= 9 && digits <= 15 && !dottedVersion && !DATE_TIME.matcher(s).matches();
  }

  /**
   * A bare North American number: 10 digits (or 1 and 10), area code and exchange each starting
   * with 2-9, neither an N11 service code. Order ids and timestamps mostly fail this.
   */
  static boolean nanp(String digits) {
    String d = digits.length() == 11 && digits.charAt(0) == '1' ? digits.substring(1) : digits;
    if (d.length() != 10) {
      return false;
    }
    return d.charAt(0) >= '2'
        && d.charAt(3) >= '2'
        && !d.startsWith("11", 1)
        && !d.startsWith("11", 4);
  }

  /** SSA: area 000, 666 and 900-999, group 00 and serial 0000 are never issued. */
  static boolean validSsn(String s) {
    String d = s.replaceAll("\\D", "");
    int area = Integer.parseInt(d.substring(0, 3));
    return area != 0 && area != 666 && area < 900 && !d.startsWith("00", 3) && !d.endsWith("0000");
  }
}
