package dev.tuneloop.trainer.engine;

import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.TokenizedChat;
import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversations rendered by the chat template and tokenized, with the loss mask the template
 * defines.
 */
public final class ChatExamples {

  private ChatExamples() {}

  /** A single-turn example: the user's prompt and the assistant's response. */
  public static List<ChatMessage> pair(String prompt, String response) {
    return List.of(ChatMessage.user(prompt), ChatMessage.assistant(response));
  }

  /**
   * @param trainOnInputs supervise every token, not only the assistant turns
   */
  public static List<SupervisedSequence> tokenize(
      List<List<ChatMessage>> conversations,
      ChatTemplate template,
      Tokenizer tokenizer,
      boolean trainOnInputs) {
    int end = endToken(tokenizer);
    var out = new ArrayList<SupervisedSequence>(conversations.size());
    for (List<ChatMessage> conversation : conversations) {
      TokenizedChat chat = template.tokenizeForTraining(conversation, tokenizer, trainOnInputs);
      int[] tokens = chat.tokens().clone();
      for (int i = 0; i < tokens.length; i++) {
        if (tokens[i] == tokenizer.eosId()) {
          tokens[i] = end;
        }
      }
      out.add(new SupervisedSequence(tokens, chat.supervised()));
    }
    return out;
  }

  /**
   * The token that ends a turn in training. EOS, except for llama2.c models: they were trained with
   * BOS between stories and never saw EOS as a target (its classifier row is untrained, so no
   * adapter on the projections can make it likely), while the LLM core's generator ends on a
   * generated BOS as on EOS. Teaching BOS there makes the trained model stop where the response
   * stops.
   */
  public static int endToken(Tokenizer tokenizer) {
    return tokenizer instanceof Llama2cTokenizer ? tokenizer.bosId() : tokenizer.eosId();
  }
}
