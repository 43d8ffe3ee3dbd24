package dev.tuneloop.llm.chat;

import java.util.List;

/**
 * The Alpaca instruction style: an optional system text, then per exchange {@code ###
 * Instruction:\nuser\n\n### Response:\nanswer</s>\n\n}. Plain words and newlines only, so it suits
 * models without chat tokens; the reply ends with the model's EOS.
 */
final class AlpacaTemplate extends BuiltinChatTemplate {

  static final String INSTRUCTION = "### Instruction:";
  static final String RESPONSE = "### Response:";

  AlpacaTemplate() {
    super("alpaca");
  }

  @Override
  void appendTo(ChatTextBuilder out, List<ChatMessage> messages, boolean addGenerationPrompt) {
    requireAlternatingTurns(messages);
    for (ChatMessage message : messages) {
      switch (message.role()) {
        case SYSTEM -> out.text(message.content() + "\n\n");
        case USER -> out.text(INSTRUCTION + "\n" + message.content() + "\n\n");
        case ASSISTANT ->
            out.text(RESPONSE + "\n").supervised(message.content() + EOS).text("\n\n");
      }
    }
    if (addGenerationPrompt) {
      out.text(RESPONSE + "\n");
    }
  }

  @Override
  public TemplateDelimiters delimiters() {
    return TemplateDelimiters.of(INSTRUCTION, RESPONSE, "### Input:", EOS);
  }

  @Override
  public List<String> stopSequences() {
    return List.of(INSTRUCTION, RESPONSE);
  }
}
