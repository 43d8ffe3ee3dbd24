package dev.tuneloop.ingest.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.ingest.InvalidRecordException;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Conversation;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses one JSON record in a known format into an example body. Errors name the format, the field
 * and the problem; content is kept verbatim (curation normalises and judges it).
 */
public final class RecordParser {

  private static final ObjectMapper JSON = new ObjectMapper();

  public ParsedBody parse(String json, InputFormat format) {
    JsonNode root = readObject(json);
    InputFormat actual = format == InputFormat.AUTO ? detect(root) : format;
    return switch (actual) {
      case PAIR -> ParsedBody.pair(actual, pair(root));
      case ALPACA -> ParsedBody.pair(actual, alpaca(root));
      case SHAREGPT -> ParsedBody.conversation(actual, shareGpt(root));
      case OPENAI -> ParsedBody.conversation(actual, openAi(root));
      case DELIMITED ->
          ParsedBody.pair(actual, DelimitedText.parse(requiredText(root, "delimited", "text")));
      case AUTO -> throw new IllegalStateException("detect never answers AUTO");
    };
  }

  /** Picks the format by the keys present, most specific first. */
  static InputFormat detect(JsonNode root) {
    if (root.has("messages")) {
      return InputFormat.OPENAI;
    }
    if (root.has("conversations")) {
      return InputFormat.SHAREGPT;
    }
    if (root.has("instruction") && root.has("output")) {
      return InputFormat.ALPACA;
    }
    if (root.has("prompt") && root.has("response")) {
      return InputFormat.PAIR;
    }
    if (root.has("text")) {
      return InputFormat.DELIMITED;
    }
    List<String> keys = new ArrayList<>();
    root.fieldNames().forEachRemaining(keys::add);
    throw new InvalidRecordException(
        "cannot detect the format of a record with keys "
            + keys
            + "; expected {prompt, response}, {instruction, input?, output}, {conversations: [{from, value}]}, "
            + "{messages: [{role, content}]} or {text: \"### Instruction ###...\"}");
  }

  private static JsonNode readObject(String json) {
    if (json == null || json.isBlank()) {
      throw new InvalidRecordException("json record is empty");
    }
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || !root.isObject()) {
        throw new InvalidRecordException(
            "json record must be an object, got "
                + (root == null ? "nothing" : root.getNodeType()));
      }
      return root;
    } catch (JsonProcessingException e) {
      throw new InvalidRecordException(
          "json record is not valid JSON: "
              + e.getOriginalMessage()
              + " at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr());
    }
  }

  private static PromptResponse pair(JsonNode root) {
    return PromptResponse.newBuilder()
        .setPrompt(requiredText(root, "pair", "prompt"))
        .setResponse(requiredText(root, "pair", "response"))
        .setSystem(optionalText(root, "pair", "system"))
        .build();
  }

  /**
   * Alpaca's optional input is context for the instruction; it follows the instruction after a
   * blank line.
   */
  private static PromptResponse alpaca(JsonNode root) {
    String instruction = requiredText(root, "alpaca", "instruction");
    String input = optionalText(root, "alpaca", "input");
    return PromptResponse.newBuilder()
        .setPrompt(input.isBlank() ? instruction : instruction + "\n\n" + input)
        .setResponse(requiredText(root, "alpaca", "output"))
        .setSystem(optionalText(root, "alpaca", "system"))
        .build();
  }

  private static Conversation shareGpt(JsonNode root) {
    JsonNode turns = requiredArray(root, "sharegpt", "conversations");
    Conversation.Builder conversation = Conversation.newBuilder();
    for (int i = 0; i < turns.size(); i++) {
      String where = "sharegpt conversations[" + i + "]";
      JsonNode turn = turns.get(i);
      String from = requiredText(turn, where, "from");
      conversation.addMessages(
          message(shareGptRole(from, where), requiredText(turn, where, "value")));
    }
    return conversation.build();
  }

  private static Role shareGptRole(String from, String where) {
    return switch (from.toLowerCase(Locale.ROOT)) {
      case "system" -> Role.ROLE_SYSTEM;
      case "human", "user" -> Role.ROLE_USER;
      case "gpt", "assistant", "bot", "chatgpt", "model" -> Role.ROLE_ASSISTANT;
      default ->
          throw new InvalidRecordException(
              where
                  + ".from is '"
                  + from
                  + "'; expected system, human (or user) or gpt (or assistant)");
    };
  }

  private static Conversation openAi(JsonNode root) {
    JsonNode messages = requiredArray(root, "openai", "messages");
    Conversation.Builder conversation = Conversation.newBuilder();
    for (int i = 0; i < messages.size(); i++) {
      String where = "openai messages[" + i + "]";
      JsonNode m = messages.get(i);
      String role = requiredText(m, where, "role");
      conversation.addMessages(message(openAiRole(role, where), openAiContent(m, where)));
    }
    return conversation.build();
  }

  private static Role openAiRole(String role, String where) {
    return switch (role) {
      case "system", "developer" -> Role.ROLE_SYSTEM;
      case "user" -> Role.ROLE_USER;
      case "assistant" -> Role.ROLE_ASSISTANT;
      default ->
          throw new InvalidRecordException(
              where
                  + ".role is '"
                  + role
                  + "'; expected system, user or assistant (tool and function turns are not supported)");
    };
  }

  /** OpenAI content is a string or a list of parts; only text parts can be trained on. */
  private static String openAiContent(JsonNode m, String where) {
    JsonNode content = m.get("content");
    if (content != null && content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < content.size(); i++) {
        JsonNode part = content.get(i);
        if (!"text".equals(part.path("type").asText())) {
          throw new InvalidRecordException(
              where
                  + ".content["
                  + i
                  + "] has type '"
                  + part.path("type").asText()
                  + "'; only text parts are supported");
        }
        text.append(requiredText(part, where + ".content[" + i + "]", "text"));
      }
      return text.toString();
    }
    return requiredText(m, where, "content");
  }

  private static ChatMessage message(Role role, String content) {
    return ChatMessage.newBuilder().setRole(role).setContent(content).build();
  }

  static String requiredText(JsonNode node, String where, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new InvalidRecordException(where + " record has no '" + field + "' field");
    }
    if (!value.isTextual()) {
      throw new InvalidRecordException(
          where + " field '" + field + "' must be a string, got " + value.getNodeType());
    }
    return value.asText();
  }

  private static String optionalText(JsonNode node, String where, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? "" : requiredText(node, where, field);
  }

  private static JsonNode requiredArray(JsonNode node, String where, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isArray()) {
      throw new InvalidRecordException(where + " record needs '" + field + "' as an array");
    }
    if (value.isEmpty()) {
      throw new InvalidRecordException(where + " record has an empty '" + field + "' array");
    }
    return value;
  }
}
