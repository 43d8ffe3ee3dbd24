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

  /** The response header naming the adapter version that answered ("base" for the base model). */
  public static final String VERSION_HEADER = "x-tuneloop-adapter-version";

  /** The response header naming the alias the model resolved through, when it did. */
  public static final String ALIAS_HEADER = "x-tuneloop-adapter-alias";

  private ChatCompletionJson() {}

  /**
   * OpenAI's {@code system_fingerprint} ("the backend configuration the model runs with"): {@code
   * tuneloop-{version}} of the adapter version that answered, {@code tuneloop-base} for the base
   * model, null while not known. {@code model} stays what the client sent, since clients compare it
   * with their request.
   */
  public static String fingerprint(String model, String adapterVersion) {
    if (adapterVersion.isEmpty() && !model.equals(ChatCompletionRequest.BASE_MODEL)) {
      return null;
    }
    return "tuneloop-" + servedVersion(adapterVersion);
  }

  /** The version that answered, "base" for the base model (whose version is ""). */
  public static String servedVersion(String adapterVersion) {
    return adapterVersion.isEmpty() ? ChatCompletionRequest.BASE_MODEL : adapterVersion;
  }

  public static ObjectNode completion(
      String id, long created, String model, ChatResponse response) {
    ObjectNode root = header(id, "chat.completion", created, model, response.getAdapterVersion());
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
   * carries the usage, as OpenAI does with {@code stream_options.include_usage}. {@code
   * adapterVersion} is the version that answers the stream (from its first chunk).
   */
  public static ObjectNode chunk(
      String id,
      long created,
      String model,
      String adapterVersion,
      ChatChunk chunk,
      boolean first) {
    ObjectNode root = header(id, "chat.completion.chunk", created, model, adapterVersion);
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

  private static ObjectNode header(
      String id, String object, long created, String model, String adapterVersion) {
    ObjectNode root = JSON.objectNode();
    root.put("id", id);
    root.put("object", object);
    root.put("created", created);
    root.put("model", model);
    String fingerprint = fingerprint(model, adapterVersion);
    if (fingerprint != null) {
      root.put("system_fingerprint", fingerprint);
    }
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
