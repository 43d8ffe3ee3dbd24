package dev.tuneloop.ingest.format;

import dev.tuneloop.proto.v1.Conversation;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;

/**
 * The body of an example as parsed from one input record: exactly one of pair or conversation is
 * set.
 */
public record ParsedBody(InputFormat format, PromptResponse pair, Conversation conversation) {

  public static ParsedBody pair(InputFormat format, PromptResponse pair) {
    return new ParsedBody(format, pair, null);
  }

  public static ParsedBody conversation(InputFormat format, Conversation conversation) {
    return new ParsedBody(format, null, conversation);
  }

  /** Copies the body and format name into an example under construction. */
  public Example.Builder applyTo(Example.Builder example) {
    example.setFormat(format.wireName());
    return pair != null ? example.setPair(pair) : example.setConversation(conversation);
  }
}
