package dev.tuneloop.curation.rules;

import dev.tuneloop.curation.policy.PiiAction;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.RejectReason;
import java.util.List;
import java.util.Locale;

/**
 * Personal data under the dataset's policy: redacted in place (with a note) or rejected with reason
 * PII.
 */
public final class PiiRule implements Rule {

  private final PiiScanner scanner = new PiiScanner();

  @Override
  public void apply(Candidate c) {
    PiiAction action = c.policy().pii();
    if (action == PiiAction.OFF) {
      return;
    }
    List<ChatMessage> messages = c.messages();
    for (int i = 0; i < messages.size(); i++) {
      String content = messages.get(i).getContent();
      List<PiiScanner.Match> matches = scanner.scan(content);
      if (matches.isEmpty()) {
        continue;
      }
      if (action == PiiAction.REJECT) {
        for (PiiScanner.Match m : matches) {
          c.reject(
              new Rejection(
                  RejectReason.PII,
                  "message "
                      + i
                      + " contains "
                      + describe(m.kind())
                      + " ("
                      + PiiScanner.mask(m)
                      + ")"));
        }
      } else {
        c.replaceContent(i, PiiScanner.redact(content, matches));
        for (PiiScanner.Match m : matches) {
          c.note("pii." + m.kind().name().toLowerCase(Locale.ROOT) + " redacted in message " + i);
        }
      }
    }
  }

  private static String describe(PiiScanner.Kind kind) {
    return switch (kind) {
      case EMAIL -> "an e-mail address";
      case CARD -> "a payment card number (Luhn-valid)";
      case IBAN -> "an IBAN (mod-97-valid)";
      case SSN -> "a US social security number";
      case NI_NUMBER -> "a UK national insurance number";
      case PHONE -> "a phone number";
    };
  }
}
