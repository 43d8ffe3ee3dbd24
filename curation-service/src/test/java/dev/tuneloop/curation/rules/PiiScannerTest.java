package dev.tuneloop.curation.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.curation.rules.PiiScanner.Kind;
import dev.tuneloop.curation.rules.PiiScanner.Match;
import org.junit.jupiter.api.Test;

class PiiScannerTest {

  private final PiiScanner scanner = new PiiScanner();

  @Test
  void luhnSeparatesCardNumbersFromLookalikes() {
    assertThat(PiiScanner.validCard("4111-1111-1111-1111")).isTrue();
    assertThat(PiiScanner.validCard("5500 0000 0000 0004")).isTrue();
    assertThat(PiiScanner.validCard("4111 1111 1111 1112")).isFalse();
  }

  @Test
  void mod97ValidatesIbans() {
    assertThat(PiiScanner.validIban("GB82 WEST 1234 5698 7654 32")).isTrue();
    assertThat(PiiScanner.validIban("DE89370400440532013000")).isTrue();
    assertThat(PiiScanner.validIban("DE89370400440532013001")).isFalse();
  }

  @Test
  void findsEachKindOnceAndRedactsInPlace() {
    String text =
        "Mail a.b@shop.co.uk, card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, phone (555) 123-4567.";
    assertThat(scanner.scan(text))
        .extracting(Match::kind)
        .containsExactly(Kind.EMAIL, Kind.CARD, Kind.IBAN, Kind.PHONE);
    assertThat(PiiScanner.redact(text, scanner.scan(text)))
        .isEqualTo("Mail [EMAIL], card [CARD], IBAN [IBAN], phone [PHONE].");
  }

  @Test
  void ordinaryNumbersAreNotPii() {
    assertThat(
            scanner.scan(
                "Order 123456789 shipped on 2024-01-15, firmware 2.2.0, total 1,299.00 EUR, card ending 1111"))
        .isEmpty();
  }

  @Test
  void invalidLuhnSixteenDigitsIsNotACard() {
    assertThat(scanner.scan("Tracking 1234 5678 9012 3456"))
        .extracting(Match::kind)
        .doesNotContain(Kind.CARD);
  }

  @Test
  void bareTenDigitNorthAmericanNumberIsAPhone() {
    String text = "You can reach me at 4155550132 or 1 on 12125550199 after six.";
    assertThat(scanner.scan("You can reach me at 4155550132 after six."))
        .extracting(Match::kind, Match::text)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.PHONE, "4155550132"));
    assertThat(scanner.scan("my cell 12125550199, call anytime"))
        .extracting(Match::kind)
        .containsExactly(Kind.PHONE);
    assertThat(PiiScanner.redact(text, scanner.scan(text)))
        .contains("[PHONE]")
        .doesNotContain("415");
  }

  @Test
  void bareTenDigitsThatBreakTheNumberPlanOrFollowAnIdentifierWordAreNotPhones() {
    // Area code or exchange starting with 0/1, or an N11 service code: not a NANP number.
    assertThat(PiiScanner.nanp("1235550132")).isFalse();
    assertThat(PiiScanner.nanp("4151550132")).isFalse();
    assertThat(PiiScanner.nanp("9115550132")).isFalse();
    assertThat(PiiScanner.nanp("4155550132")).isTrue();
    assertThat(
            scanner.scan(
                "Order 4829301756 is late; invoice number 3105550199; ticket #5551234567; the"
                    + " serial number on my drill is 7185550172; part 4152-7720-19; logged at"
                    + " 2024-03-15 10:42:07 UTC"))
        .isEmpty();
  }

  @Test
  void phoneWordAfterAnIdentifierWordStillMakesItAPhone() {
    assertThat(scanner.scan("About order 5512: call me on 4155550132"))
        .extracting(Match::kind)
        .containsExactly(Kind.PHONE);
  }

  @Test
  void socialSecurityNumbersOutsideTheNeverIssuedRangesAreFound() {
    assertThat(scanner.scan("my SSN is 512-22-4431"))
        .extracting(Match::kind)
        .containsExactly(Kind.SSN);
    assertThat(scanner.scan("social security number: 321549876"))
        .extracting(Match::kind, Match::text)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.SSN, "321549876"));
    assertThat(PiiScanner.validSsn("000-12-3456")).isFalse();
    assertThat(PiiScanner.validSsn("666-12-3456")).isFalse();
    assertThat(PiiScanner.validSsn("912-12-3456")).isFalse();
    assertThat(PiiScanner.validSsn("512-00-3456")).isFalse();
    assertThat(PiiScanner.validSsn("512-12-0000")).isFalse();
  }

  @Test
  void ukNationalInsuranceNumbersWithValidPrefixesAreFound() {
    assertThat(scanner.scan("NI number AB 12 34 56 C for payroll"))
        .extracting(Match::kind)
        .containsExactly(Kind.NI_NUMBER);
    assertThat(scanner.scan("NI CE123456A"))
        .extracting(Match::kind)
        .containsExactly(Kind.NI_NUMBER);
    // D as first letter, O as second, GB and the D-less suffix E are never issued.
    assertThat(scanner.scan("DA123456A, AO123456A, GB123456A, AB123456E")).isEmpty();
    String text = "NI AB 12 34 56 C";
    assertThat(PiiScanner.redact(text, scanner.scan(text))).isEqualTo("NI [NI_NUMBER]");
  }
}
