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
}
