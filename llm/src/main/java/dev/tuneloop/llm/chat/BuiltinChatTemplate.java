package dev.tuneloop.llm.chat;

import java.util.List;

/**
 * A template written in Java for models whose checkpoint has none; BOS and EOS are written as
 * {@code <s>}, {@code </s>}.
 */
abstract sealed class BuiltinChatTemplate implements ChatTemplate
    permits ChatMlTemplate, Llama2Template, AlpacaTemplate {

  static final String BOS = "<s>";
  static final String EOS = "</s>";

  private final String name;

  BuiltinChatTemplate(String name) {
    this.name = name;
  }

  /** Appends the conversation, marking assistant content and end markers supervised. */
  abstract void appendTo(
      ChatTextBuilder out, List<ChatMessage> messages, boolean addGenerationPrompt);

  @Override
  public final RenderedChat renderWithSpans(
      List<ChatMessage> messages, boolean addGenerationPrompt) {
    ChatTextBuilder out = new ChatTextBuilder();
    appendTo(out, messages, addGenerationPrompt);
    return out.build();
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public String bosToken() {
    return BOS;
  }

  @Override
  public String eosToken() {
    return EOS;
  }

  @Override
  public String toString() {
    return "ChatTemplate[" + name + "]";
  }

  /** An optional system message first, then user and assistant strictly alternating, user first. */
  final void requireAlternatingTurns(List<ChatMessage> messages) {
    int first = !messages.isEmpty() && messages.getFirst().role() == Role.SYSTEM ? 1 : 0;
    for (int i = first; i < messages.size(); i++) {
      Role expected = (i - first) % 2 == 0 ? Role.USER : Role.ASSISTANT;
      if (messages.get(i).role() != expected) {
        throw new ChatTemplateException(
            "chat template "
                + name
                + ": message "
                + i
                + " is "
                + messages.get(i).role().wireName()
                + " but must be "
                + expected.wireName()
                + " (an optional system message first, then user and assistant alternating)");
      }
    }
  }
}
