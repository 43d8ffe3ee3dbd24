package dev.tuneloop.llm.chat;

import java.util.List;

/**
 * Llama-2 chat, as Meta's Hugging Face template writes it: {@code <s>[INST]
 * <<SYS>>\nsystem\n<</SYS>>\n\nuser [/INST] answer </s><s>[INST] next [/INST]}. Contents are
 * stripped of surrounding whitespace, as that template does. The prompt already ends at {@code
 * [/INST]}, so there is no separate generation prompt.
 */
final class Llama2Template extends BuiltinChatTemplate {

  Llama2Template() {
    super("llama2");
  }

  @Override
  void appendTo(ChatTextBuilder out, List<ChatMessage> messages, boolean addGenerationPrompt) {
    requireAlternatingTurns(messages);
    boolean hasSystem = !messages.isEmpty() && messages.getFirst().role() == Role.SYSTEM;
    for (int i = hasSystem ? 1 : 0; i < messages.size(); i++) {
      ChatMessage message = messages.get(i);
      if (message.role() == Role.USER) {
        String content =
            hasSystem && i == 1
                ? "<<SYS>>\n" + messages.getFirst().content() + "\n<</SYS>>\n\n" + message.content()
                : message.content();
        out.text(BOS + "[INST] " + content.strip() + " [/INST]");
      } else {
        out.supervised(" " + message.content().strip() + " " + EOS);
      }
    }
  }

  @Override
  public TemplateDelimiters delimiters() {
    return TemplateDelimiters.of("[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", BOS, EOS);
  }

  @Override
  public List<String> stopSequences() {
    return List.of("[INST]");
  }
}
