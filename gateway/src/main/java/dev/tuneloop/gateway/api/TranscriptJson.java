package dev.tuneloop.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuneloop.proto.v1.Speaker;
import dev.tuneloop.proto.v1.SubmitTranscriptRequest;
import dev.tuneloop.proto.v1.Transcript;
import dev.tuneloop.proto.v1.TranscriptPolicy;
import dev.tuneloop.proto.v1.TranscriptTurn;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The transcript body: {@code {"id", "turns": [{"speaker": "customer"|"agent"|"system", "text",
 * "metadata"?}], "metadata"?, "policy"?: "whole_conversation"|"each_agent_reply", "system"?}}.
 * Speakers also accept user/assistant.
 */
final class TranscriptJson {
  private static final Map<String, Speaker> SPEAKERS =
      Map.of(
          "customer",
          Speaker.SPEAKER_CUSTOMER,
          "user",
          Speaker.SPEAKER_CUSTOMER,
          "agent",
          Speaker.SPEAKER_AGENT,
          "assistant",
          Speaker.SPEAKER_AGENT,
          "system",
          Speaker.SPEAKER_SYSTEM);
  private static final Map<String, TranscriptPolicy> POLICIES =
      Map.of(
          "whole_conversation", TranscriptPolicy.WHOLE_CONVERSATION,
          "each_agent_reply", TranscriptPolicy.EACH_AGENT_REPLY);

  private TranscriptJson() {}

  static SubmitTranscriptRequest parse(JsonNode body, String tenant, String dataset) {
    if (!body.isObject()) {
      throw ApiException.badRequest("The transcript must be a JSON object with \"turns\".");
    }
    Transcript.Builder transcript = Transcript.newBuilder().setId(body.path("id").asText(""));
    JsonNode turns = body.get("turns");
    if (turns == null || !turns.isArray() || turns.isEmpty()) {
      throw ApiException.badField("turns", "must be a non-empty array of {speaker, text}");
    }
    for (int i = 0; i < turns.size(); i++) {
      transcript.addTurns(turn(turns.get(i), "turns[" + i + "]"));
    }
    transcript.putAllMetadata(strings(body.get("metadata"), "metadata"));
    SubmitTranscriptRequest.Builder request =
        SubmitTranscriptRequest.newBuilder()
            .setTenant(tenant)
            .setDataset(dataset)
            .setTranscript(transcript)
            .setSystem(body.path("system").asText(""));
    JsonNode policy = body.get("policy");
    if (policy != null && !policy.isNull()) {
      TranscriptPolicy chosen = POLICIES.get(policy.asText().toLowerCase(Locale.ROOT));
      if (chosen == null) {
        throw ApiException.badField("policy", "must be whole_conversation or each_agent_reply");
      }
      request.setPolicy(chosen);
    }
    return request.build();
  }

  private static TranscriptTurn turn(JsonNode node, String field) {
    if (!node.isObject()) {
      throw ApiException.badField(field, "must be an object {speaker, text}");
    }
    Speaker speaker = SPEAKERS.get(node.path("speaker").asText("").toLowerCase(Locale.ROOT));
    if (speaker == null) {
      throw ApiException.badField(field + ".speaker", "must be customer, agent or system");
    }
    JsonNode text = node.get("text");
    if (text == null || !text.isTextual()) {
      throw ApiException.badField(field + ".text", "must be a string");
    }
    return TranscriptTurn.newBuilder()
        .setSpeaker(speaker)
        .setText(text.asText())
        .putAllMetadata(strings(node.get("metadata"), field + ".metadata"))
        .build();
  }

  private static Map<String, String> strings(JsonNode node, String field) {
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw ApiException.badField(field, "must be an object of strings");
    }
    java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode()) {
        throw ApiException.badField(field + "." + e.getKey(), "must be a string");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }
}
