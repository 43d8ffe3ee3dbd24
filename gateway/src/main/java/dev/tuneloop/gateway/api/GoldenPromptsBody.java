package dev.tuneloop.gateway.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tuneloop.proto.v1.GoldenPrompt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A body of golden prompts: a JSON array of {@code {"prompt", "expected"}} objects, or JSON Lines
 * of them (one object per line). The Content-Type decides ({@code application/x-ndjson} or {@code
 * application/jsonl}: lines), otherwise the first non-space character does ({@code [}: an array).
 * Every prompt is checked before any is sent, and a bad one is refused naming its line, so a file
 * is stored whole or not at all.
 */
final class GoldenPromptsBody {
  private static final List<String> FIELDS = List.of("prompt", "expected");

  /** One line is one document: anything after it on the line is an error, not dropped. */
  private static final ObjectReader LINE =
      JsonBodies.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private GoldenPromptsBody() {}

  static List<GoldenPrompt> parse(String body, String contentType) {
    if (body == null || body.isBlank()) {
      throw ApiException.badRequest(
          "The request body is empty; send a JSON array of {\"prompt\": ..., \"expected\": ...}"
              + " objects, or JSON Lines of them.");
    }
    List<GoldenPrompt> prompts =
        isJsonLines(contentType) || !body.strip().startsWith("[") ? lines(body) : array(body);
    if (prompts.isEmpty()) {
      throw ApiException.badRequest("The body holds no golden prompts.");
    }
    return prompts;
  }

  private static boolean isJsonLines(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    return type.startsWith("application/x-ndjson") || type.startsWith("application/jsonl");
  }

  /** One object per line; blank lines are skipped, line numbers count every line from 1. */
  private static List<GoldenPrompt> lines(String body) {
    List<GoldenPrompt> prompts = new ArrayList<>();
    List<String> lines = body.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String where = "line " + (i + 1);
      JsonNode json;
      try {
        json = LINE.readTree(line);
      } catch (JsonProcessingException e) {
        throw ApiException.badRequest(
            where
                + ": not valid JSON ("
                + e.getOriginalMessage()
                + "); JSON Lines hold one whole object per line (or send a JSON array)");
      }
      prompts.add(prompt(json, where));
    }
    return prompts;
  }

  /** A JSON array; a bad element is named by its index and the line it starts on. */
  private static List<GoldenPrompt> array(String body) {
    List<GoldenPrompt> prompts = new ArrayList<>();
    try (JsonParser parser = JsonBodies.MAPPER.createParser(body)) {
      parser.nextToken(); // START_ARRAY: the body starts with '['
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        if (parser.currentToken() == null) {
          throw ApiException.badRequest("Malformed JSON: the array is not closed with ']'.");
        }
        String where =
            "[" + prompts.size() + "] (line " + parser.currentTokenLocation().getLineNr() + ")";
        prompts.add(prompt(JsonBodies.MAPPER.readTree(parser), where));
      }
      if (parser.nextToken() != null) {
        throw ApiException.badRequest(
            "Malformed JSON at line "
                + parser.currentTokenLocation().getLineNr()
                + ": more after the array; send one array, or JSON Lines.");
      }
      return prompts;
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      String line = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw ApiException.badRequest("Malformed JSON" + line + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string cannot fail", e);
    }
  }

  private static GoldenPrompt prompt(JsonNode json, String where) {
    if (!json.isObject()) {
      throw ApiException.badRequest(
          where + ": must be a JSON object {\"prompt\": ..., \"expected\": ...}");
    }
    Map<String, String> fields;
    try {
      fields = JsonBodies.stringFields(json, "", FIELDS);
    } catch (ApiException e) {
      throw ApiException.badRequest(where + ": " + e.getMessage());
    }
    for (String field : FIELDS) {
      if (fields.getOrDefault(field, "").isBlank()) {
        throw ApiException.badRequest(
            where + ": \"" + field + "\" is required (a non-empty string)");
      }
    }
    return GoldenPrompt.newBuilder()
        .setPrompt(fields.get("prompt"))
        .setExpected(fields.get("expected"))
        .build();
  }
}
