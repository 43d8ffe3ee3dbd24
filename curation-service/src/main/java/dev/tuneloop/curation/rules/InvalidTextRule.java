package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.RejectReason;
import java.util.List;

/**
 * Text that was damaged on the way (U+FFFD, the mark decoders leave for invalid UTF-8; lone
 * surrogates) or carries control characters other than newline and tab, which tokenizers turn into
 * noise.
 */
public final class InvalidTextRule implements Rule {

  @Override
  public void apply(Candidate c) {
    List<ChatMessage> messages = c.messages();
    for (int i = 0; i < messages.size(); i++) {
      String problem = problem(messages.get(i).getContent());
      if (problem != null) {
        c.reject(new Rejection(RejectReason.INVALID_TEXT, "message " + i + " " + problem));
      }
    }
  }

  static String problem(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\uFFFD') {
        return "contains U+FFFD (the replacement character left by invalid UTF-8) at index " + i;
      }
      if (Character.isSurrogate(ch)) {
        boolean paired =
            Character.isHighSurrogate(ch)
                && i + 1 < s.length()
                && Character.isLowSurrogate(s.charAt(i + 1));
        if (!paired) {
          return "contains an unpaired surrogate at index " + i;
        }
        i++;
      } else if (Character.isISOControl(ch) && ch != '\n' && ch != '\t') {
        return String.format("contains control character U+%04X at index %d", (int) ch, i);
      }
    }
    return null;
  }
}
