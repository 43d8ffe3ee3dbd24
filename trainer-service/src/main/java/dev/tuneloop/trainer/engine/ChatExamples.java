package dev.tuneloop.trainer.engine;

import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.llm.chat.ChatTemplate;
import dev.tuneloop.llm.chat.TokenizedChat;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/** Conversations rendered by the chat template and tokenized, with the loss mask the template defines. */
public final class ChatExamples {

    private ChatExamples() {}

    /** A single-turn example: the user's prompt and the assistant's response. */
    public static List<ChatMessage> pair(String prompt, String response) {
        return List.of(ChatMessage.user(prompt), ChatMessage.assistant(response));
    }

    /**
     * @param trainOnInputs supervise every token, not only the assistant turns
     */
    public static List<SupervisedSequence> tokenize(List<List<ChatMessage>> conversations, ChatTemplate template,
            Tokenizer tokenizer, boolean trainOnInputs) {
        var out = new ArrayList<SupervisedSequence>(conversations.size());
        for (List<ChatMessage> conversation : conversations) {
            TokenizedChat chat = template.tokenizeForTraining(conversation, tokenizer, trainOnInputs);
            out.add(new SupervisedSequence(chat.tokens(), chat.supervised()));
        }
        return out;
    }
}
