package dev.tuneloop.gateway.openai;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuneloop.proto.v1.ChatChunk;
import dev.tuneloop.proto.v1.ChatResponse;
import dev.tuneloop.proto.v1.FinishReason;
import dev.tuneloop.proto.v1.Usage;

/**
 * Renders inference answers as OpenAI {@code chat.completion} objects and {@code
 * chat.completion.chunk} events.
 */
public final class ChatCompletionJson {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private ChatCompletionJson() {}

  /** The model that answered: the requested name, pinned to the version that served it. */
  public static String servedModel(String requested, String adapterVersion) {
    return adapterVersion.isEmpty() || requested.contains("@")
        ? requested
        : requested + "@" + adapterVersion;
  }

  public static ObjectNode completion(
      String id, long created, String model, ChatResponse response) {
    ObjectNode root =
        header(id, "chat.completion", created, servedModel(model, response.getAdapterVersion()));
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", response.getText());
    choice.put("finish_reason", finishReason(response.getFinishReason()));
    root.set("usage", usage(response.getUsage()));
    return root;
  }

  /**
   * One streamed chunk. The first carries the assistant role; the last (with a finish reason)
   * carries the usage, as OpenAI does with {@code stream_options.include_usage}.
   */
  public static ObjectNode chunk(
      String id, long created, String model, ChatChunk chunk, boolean first) {
    ObjectNode root =
        header(id, "chat.completion.chunk", created, servedModel(model, chunk.getAdapterVersion()));
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode delta = choice.putObject("delta");
    if (first) {
      delta.put("role", "assistant");
    }
    if (!chunk.getDelta().isEmpty()) {
      delta.put("content", chunk.getDelta());
    }
    boolean last = chunk.getFinishReason() != FinishReason.FINISH_REASON_UNSPECIFIED;
    if (last) {
      choice.put("finish_reason", finishReason(chunk.getFinishReason()));
      root.set("usage", usage(chunk.getUsage()));
    } else {
      choice.putNull("finish_reason");
    }
    return root;
  }

  private static ObjectNode header(String id, String object, long created, String model) {
    ObjectNode root = JSON.objectNode();
    root.put("id", id);
    root.put("object", object);
    root.put("created", created);
    root.put("model", model);
    return root;
  }

  private static ObjectNode usage(Usage usage) {
    ObjectNode node = JSON.objectNode();
    node.put("prompt_tokens", usage.getPromptTokens());
    node.put("completion_tokens", usage.getCompletionTokens());
    node.put("total_tokens", usage.getPromptTokens() + usage.getCompletionTokens());
    return node;
  }

  static String finishReason(FinishReason reason) {
    return reason == FinishReason.FINISH_REASON_LENGTH ? "length" : "stop";
  }
}
