package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.ChatMessage;
import java.util.List;

/**
 * Tokens of a chat rendered for training under a dataset's template and its base model's tokenizer.
 */
@FunctionalInterface
public interface TokenCounter {
  int count(List<ChatMessage> messages);
}
