package dev.tuneloop.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuneloop.gateway.api.ApiException;
import dev.tuneloop.platform.config.Names;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.Role;
import dev.tuneloop.proto.v1.SamplingParams;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An OpenAI {@code /v1/chat/completions} body, checked field by field and turned into the inference
 * contract. Every field is either supported, harmless bookkeeping ({@link #IGNORED}) or refused
 * naming the field: an option the platform cannot honour ({@code tools}, {@code response_format},
 * {@code logprobs}, {@code n} > 1, ...) would otherwise change what the client believes it got.
 * Wrong values are refused naming the field. Without {@code temperature} decoding is greedy (the
 * platform's default), not OpenAI's 1.0.
 *
 * @param model as the client wrote it, and as it goes to inference: "base", or an adapter "name"
 *     (its production version), "name@alias" ("name@candidate") or "name@version"
 * @param stream true: answer with server-sent events
 * @param request the inference request
 */
public record ChatCompletionRequest(String model, boolean stream, ChatRequest request) {
  /** The model name that selects the base model. */
  public static final String BASE_MODEL = "base";

  private static final Map<String, Role> ROLES =
      Map.of(
          "system",
          Role.ROLE_SYSTEM,
          "developer",
          Role.ROLE_SYSTEM,
          "user",
          Role.ROLE_USER,
          "assistant",
          Role.ROLE_ASSISTANT);

  /** Fields read by {@link #parse}. */
  private static final Set<String> SUPPORTED =
      Set.of(
          "model",
          "messages",
          "stream",
          "temperature",
          "top_p",
          "top_k",
          "repetition_penalty",
          "max_tokens",
          "max_completion_tokens",
          "stop",
          "seed",
          "n");

  /**
   * Fields that do not change the answer: who asked, OpenAI-side storage, and stream options (usage
   * is always sent).
   */
  static final Set<String> IGNORED =
      Set.of("user", "store", "metadata", "stream_options", "service_tier");

  /**
   * Options that are accepted only at their no-op value (what clients send by default), since the
   * platform cannot honour any other.
   */
  private static boolean isNoOp(String field, JsonNode value) {
    return value.isNull()
        || switch (field) {
          case "logprobs", "parallel_tool_calls" -> value.isBoolean() && !value.asBoolean();
          case "presence_penalty", "frequency_penalty" -> value.isNumber() && value.asDouble() == 0;
          case "tools", "functions", "logit_bias" -> value.isEmpty() && value.isContainerNode();
          case "tool_choice", "function_call" -> value.isTextual() && value.asText().equals("none");
          case "response_format" -> value.path("type").asText().equals("text");
          default -> false;
        };
  }

  public static ChatCompletionRequest parse(JsonNode body, String tenant, String requestId) {
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest("The request body must be a JSON object.");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      if (!SUPPORTED.contains(name) && !IGNORED.contains(name) && !isNoOp(name, field.getValue())) {
        throw ApiException.badField(
            name,
            "is not supported by this server; remove it (supported: "
                + String.join(", ", new TreeSet<>(SUPPORTED))
                + ")");
      }
    }
    String model = requiredText(body, "model");
    String adapterName = model.contains("@") ? model.substring(0, model.indexOf('@')) : model;
    String nameProblem = Names.nameProblem(adapterName);
    if (nameProblem != null) {
      throw ApiException.badField("model", "adapter name " + nameProblem);
    }
    ChatRequest.Builder request =
        ChatRequest.newBuilder()
            .setTenant(tenant)
            .setRequestId(requestId)
            .setAdapter(model.equals(BASE_MODEL) ? "" : model)
            .setSampling(sampling(body));
    JsonNode messages = body.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw ApiException.badField("messages", "must be a non-empty array of {role, content}");
    }
    for (int i = 0; i < messages.size(); i++) {
      request.addMessages(message(messages.get(i), "messages[" + i + "]"));
    }
    JsonNode n = body.get("n");
    if (n != null && !n.isNull() && !(n.canConvertToInt() && n.asInt() == 1)) {
      throw ApiException.badField(
          "n", "is not supported above 1 by this server; send one request per choice");
    }
    return new ChatCompletionRequest(model, bool(body, "stream"), request.build());
  }

  private static ChatMessage message(JsonNode node, String field) {
    if (node == null || !node.isObject()) {
      throw ApiException.badField(field, "must be an object {role, content}");
    }
    String roleName = requiredText(node, "role", field + ".role");
    Role role = ROLES.get(roleName);
    if (role == null) {
      throw ApiException.badField(
          field + ".role", "must be system, user or assistant, not \"" + roleName + "\"");
    }
    return ChatMessage.newBuilder()
        .setRole(role)
        .setContent(content(node.get("content"), field + ".content"))
        .build();
  }

  /** A string, or an array of {type: "text", text} parts joined. */
  private static String content(JsonNode node, String field) {
    if (node != null && node.isTextual()) {
      return node.asText();
    }
    if (node != null && node.isArray()) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < node.size(); i++) {
        JsonNode part = node.get(i);
        if (!part.path("type").asText().equals("text") || !part.path("text").isTextual()) {
          throw ApiException.badField(
              field + "[" + i + "]",
              "only {\"type\": \"text\", \"text\": ...} parts are supported");
        }
        text.append(part.get("text").asText());
      }
      return text.toString();
    }
    throw ApiException.badField(field, "must be a string or an array of text parts");
  }

  private static SamplingParams sampling(JsonNode body) {
    SamplingParams.Builder params = SamplingParams.newBuilder();
    Double temperature = number(body, "temperature", 0, 2);
    if (temperature != null) {
      params.setTemperature(temperature.floatValue());
    }
    Double topP = number(body, "top_p", 0, 1);
    if (topP != null) {
      params.setTopP(topP.floatValue());
    }
    Integer topK = integer(body, "top_k", 0);
    if (topK != null) {
      params.setTopK(topK);
    }
    Double repetition = number(body, "repetition_penalty", 0, 10);
    if (repetition != null) {
      params.setRepetitionPenalty(repetition.floatValue());
    }
    Integer maxTokens = integer(body, "max_completion_tokens", 1);
    if (maxTokens == null) {
      maxTokens = integer(body, "max_tokens", 1);
    }
    if (maxTokens != null) {
      params.setMaxTokens(maxTokens);
    }
    if (body.hasNonNull("seed")) {
      JsonNode seed = body.get("seed");
      if (!seed.canConvertToLong() || !seed.isIntegralNumber()) {
        throw ApiException.badField("seed", "must be an integer");
      }
      params.setSeed(seed.asLong());
    }
    stops(body.get("stop"), params);
    return params.build();
  }

  private static void stops(JsonNode stop, SamplingParams.Builder params) {
    if (stop == null || stop.isNull()) {
      return;
    }
    if (stop.isTextual()) {
      params.addStop(stop.asText());
      return;
    }
    if (!stop.isArray() || stop.size() > 4) {
      throw ApiException.badField("stop", "must be a string or an array of at most 4 strings");
    }
    for (int i = 0; i < stop.size(); i++) {
      if (!stop.get(i).isTextual() || stop.get(i).asText().isEmpty()) {
        throw ApiException.badField("stop[" + i + "]", "must be a non-empty string");
      }
      params.addStop(stop.get(i).asText());
    }
  }

  private static String requiredText(JsonNode node, String name) {
    return requiredText(node, name, name);
  }

  private static String requiredText(JsonNode node, String name, String field) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw ApiException.badField(field, "is required");
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw ApiException.badField(field, "must be a non-empty string");
    }
    return value.asText();
  }

  private static boolean bool(JsonNode body, String name) {
    JsonNode value = body.get(name);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw ApiException.badField(name, "must be true or false");
    }
    return value.asBoolean();
  }

  private static Double number(JsonNode body, String name, double min, double max) {
    JsonNode value = body.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
      throw ApiException.badField(name, "must be a number from " + min + " to " + max);
    }
    return value.asDouble();
  }

  private static Integer integer(JsonNode body, String name, int min) {
    JsonNode value = body.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < min) {
      throw ApiException.badField(name, "must be an integer of at least " + min);
    }
    return value.asInt();
  }
}
