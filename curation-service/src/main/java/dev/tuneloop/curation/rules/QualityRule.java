package dev.tuneloop.curation.rules;

import dev.tuneloop.curation.text.Text;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.Role;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Replies too short to teach anything, and degenerate repetition (the same phrase over and over, a
 * common artefact of generated data): the share of word trigrams that repeat an earlier trigram of
 * the same reply.
 */
public final class QualityRule implements Rule {

  /** Below this many words, trigram statistics say nothing. */
  private static final int MIN_WORDS_FOR_REPETITION = 12;

  @Override
  public void apply(Candidate c) {
    String reply = c.finalReply();
    int chars = (int) reply.codePoints().filter(ch -> !Character.isWhitespace(ch)).count();
    if (!reply.isBlank() && chars < c.policy().minResponseChars()) {
      c.reject(
          new Rejection(
              RejectReason.LOW_QUALITY,
              "the final reply has "
                  + chars
                  + " non-blank characters; the dataset needs "
                  + c.policy().minResponseChars()
                  + " (min-response-chars)"));
    }
    List<ChatMessage> messages = c.messages();
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i).getRole() == Role.ROLE_ASSISTANT) {
        double repeated = repeatedTrigramShare(messages.get(i).getContent());
        if (repeated > c.policy().maxRepetition()) {
          c.reject(
              new Rejection(
                  RejectReason.LOW_QUALITY,
                  String.format(
                      "assistant message %d repeats itself: %.0f%% of its word trigrams are repeats (max-repetition %.0f%%)",
                      i, repeated * 100, c.policy().maxRepetition() * 100)));
        }
      }
    }
  }

  static double repeatedTrigramShare(String text) {
    List<String> words = Text.words(text);
    if (words.size() < MIN_WORDS_FOR_REPETITION) {
      return 0;
    }
    Set<String> seen = new HashSet<>();
    int repeats = 0;
    int total = words.size() - 2;
    for (int i = 0; i < total; i++) {
      if (!seen.add(words.get(i) + ' ' + words.get(i + 1) + ' ' + words.get(i + 2))) {
        repeats++;
      }
    }
    return repeats / (double) total;
  }
}
