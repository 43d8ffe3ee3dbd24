package dev.tuneloop.llm.chat;

import java.util.List;

/** ChatML (Qwen, many fine-tunes): {@code <|im_start|>role\ncontent<|im_end|>\n} per message. */
final class ChatMlTemplate extends BuiltinChatTemplate {

  static final String START = "<|im_start|>";
  static final String END = "<|im_end|>";

  ChatMlTemplate() {
    super("chatml");
  }

  @Override
  void appendTo(ChatTextBuilder out, List<ChatMessage> messages, boolean addGenerationPrompt) {
    for (ChatMessage message : messages) {
      out.text(START + message.role().wireName() + "\n");
      if (message.role() == Role.ASSISTANT) {
        out.supervised(message.content() + END);
      } else {
        out.text(message.content() + END);
      }
      out.text("\n");
    }
    if (addGenerationPrompt) {
      out.text(START + Role.ASSISTANT.wireName() + "\n");
    }
  }

  @Override
  public TemplateDelimiters delimiters() {
    return TemplateDelimiters.of(START, END);
  }

  @Override
  public List<String> stopSequences() {
    return List.of(END, START);
  }
}
