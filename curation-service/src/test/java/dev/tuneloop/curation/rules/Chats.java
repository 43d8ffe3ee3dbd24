package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Conversation;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.Role;
import java.util.concurrent.atomic.AtomicInteger;

/** Builders for realistic test examples. */
final class Chats {

  private static final AtomicInteger IDS = new AtomicInteger();

  private Chats() {}

  static Example pair(String prompt, String response) {
    return Example.newBuilder()
        .setId("ex-" + IDS.incrementAndGet())
        .setTenant("acme")
        .setDataset("support")
        .setFormat("pair")
        .setPair(PromptResponse.newBuilder().setPrompt(prompt).setResponse(response))
        .build();
  }

  static Example chat(Object... roleAndContent) {
    Conversation.Builder c = Conversation.newBuilder();
    for (int i = 0; i < roleAndContent.length; i += 2) {
      c.addMessages(
          ChatMessage.newBuilder()
              .setRole((Role) roleAndContent[i])
              .setContent((String) roleAndContent[i + 1]));
    }
    return Example.newBuilder()
        .setId("ex-" + IDS.incrementAndGet())
        .setTenant("acme")
        .setDataset("support")
        .setFormat("openai")
        .setConversation(c)
        .build();
  }
}
