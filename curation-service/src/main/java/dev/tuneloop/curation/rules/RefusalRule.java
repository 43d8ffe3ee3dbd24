package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.Role;
import java.util.List;
import java.util.Locale;

/**
 * Refusal boilerplate in assistant replies ("As an AI language model...", "I'm sorry, but I
 * can't..."). Datasets built to make a model follow instructions filter these out; a dataset that
 * wants its model to refuse turns the filter off.
 */
public final class RefusalRule implements Rule {

  @Override
  public void apply(Candidate c) {
    if (!c.policy().filterRefusals()) {
      return;
    }
    List<ChatMessage> messages = c.messages();
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i).getRole() != Role.ROLE_ASSISTANT) {
        continue;
      }
      String text = messages.get(i).getContent().toLowerCase(Locale.ROOT).replace('\u2019', '\'');
      for (String phrase : c.policy().refusalPhrases()) {
        if (text.contains(phrase)) {
          c.reject(
              new Rejection(
                  RejectReason.REFUSAL,
                  "assistant message " + i + " contains the refusal phrase \"" + phrase + "\""));
          break;
        }
      }
    }
  }
}
