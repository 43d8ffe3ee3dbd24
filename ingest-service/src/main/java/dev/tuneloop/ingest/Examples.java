package dev.tuneloop.ingest;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.ExampleOrBuilder;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.Role;
import java.util.ArrayList;
import java.util.List;

/** Views of an example's body. */
public final class Examples {

  private Examples() {}

  /** The body as chat messages: a pair becomes system? / user / assistant. */
  public static List<ChatMessage> messages(ExampleOrBuilder example) {
    if (example.hasConversation()) {
      return example.getConversation().getMessagesList();
    }
    PromptResponse pair = example.getPair();
    List<ChatMessage> messages = new ArrayList<>(3);
    if (!pair.getSystem().isEmpty()) {
      messages.add(message(Role.ROLE_SYSTEM, pair.getSystem()));
    }
    messages.add(message(Role.ROLE_USER, pair.getPrompt()));
    messages.add(message(Role.ROLE_ASSISTANT, pair.getResponse()));
    return messages;
  }

  private static ChatMessage message(Role role, String content) {
    return ChatMessage.newBuilder().setRole(role).setContent(content).build();
  }
}
