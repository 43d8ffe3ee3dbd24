package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.Role;
import java.util.List;

/**
 * The shape of the chat: no blank message (EMPTY_FIELD), a sane number of turns (LIMIT_EXCEEDED),
 * and the role order chat templates require (INVALID_TEXT): an optional system message first, then
 * user and assistant alternating, starting with user and ending with an assistant reply to learn
 * from.
 */
public final class StructureRule implements Rule {

  @Override
  public void apply(Candidate c) {
    List<ChatMessage> messages = c.messages();
    if (messages.isEmpty()) {
      c.reject(new Rejection(RejectReason.EMPTY_FIELD, "example has no messages"));
      return;
    }
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i).getContent().isBlank()) {
        c.reject(
            new Rejection(
                RejectReason.EMPTY_FIELD,
                "message " + i + " (" + name(messages.get(i).getRole()) + ") is blank"));
      }
    }
    if (messages.size() > c.policy().maxTurns()) {
      c.reject(
          new Rejection(
              RejectReason.LIMIT_EXCEEDED,
              "example has "
                  + messages.size()
                  + " messages; the dataset allows "
                  + c.policy().maxTurns()
                  + " (max-turns)"));
    }
    String order = roleOrderProblem(messages);
    if (order != null) {
      c.reject(
          new Rejection(
              order.startsWith("no assistant")
                  ? RejectReason.EMPTY_FIELD
                  : RejectReason.INVALID_TEXT,
              order));
    }
  }

  static String roleOrderProblem(List<ChatMessage> messages) {
    if (messages.stream().noneMatch(m -> m.getRole() == Role.ROLE_ASSISTANT)) {
      return "no assistant reply: nothing to learn from";
    }
    int start = messages.getFirst().getRole() == Role.ROLE_SYSTEM ? 1 : 0;
    for (int i = start; i < messages.size(); i++) {
      Role expected = (i - start) % 2 == 0 ? Role.ROLE_USER : Role.ROLE_ASSISTANT;
      Role actual = messages.get(i).getRole();
      if (actual != expected) {
        return "message "
            + i
            + " is "
            + name(actual)
            + " where "
            + name(expected)
            + " was expected (roles must be: system?, then user and assistant alternating)";
      }
    }
    if (messages.getLast().getRole() != Role.ROLE_ASSISTANT) {
      return "the last message is "
          + name(messages.getLast().getRole())
          + "; an example must end with an assistant reply";
    }
    return null;
  }

  static String name(Role role) {
    return switch (role) {
      case ROLE_SYSTEM -> "system";
      case ROLE_USER -> "user";
      case ROLE_ASSISTANT -> "assistant";
      default -> "unspecified role";
    };
  }
}
