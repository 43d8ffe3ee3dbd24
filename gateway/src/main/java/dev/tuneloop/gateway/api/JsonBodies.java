package dev.tuneloop.gateway.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.tuneloop.proto.v1.AdapterDetails;
import dev.tuneloop.proto.v1.AdapterInfo;
import dev.tuneloop.proto.v1.AdapterVersion;
import dev.tuneloop.proto.v1.GoldenPrompts;
import dev.tuneloop.proto.v1.GoldenPromptsSummary;
import dev.tuneloop.proto.v1.ListAdaptersResponse;
import dev.tuneloop.proto.v1.ListJobsResponse;
import dev.tuneloop.proto.v1.SubmitResponse;
import dev.tuneloop.proto.v1.SubmitSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads request bodies as JSON ourselves, so a malformed body gets a 400 that says where it broke.
 */
public final class JsonBodies {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Lists and maps are always printed, empty ones as [] and {} (and a golden count of 0); other
   * unset fields are left out, as proto3 JSON does.
   */
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer()
          .includingDefaultValueFields(
              Set.of(
                  ListAdaptersResponse.getDescriptor().findFieldByName("adapters"),
                  AdapterInfo.getDescriptor().findFieldByName("aliases"),
                  AdapterDetails.getDescriptor().findFieldByName("versions"),
                  AdapterDetails.getDescriptor().findFieldByName("aliases"),
                  AdapterDetails.getDescriptor().findFieldByName("history"),
                  AdapterVersion.getDescriptor().findFieldByName("aliases"),
                  GoldenPrompts.getDescriptor().findFieldByName("prompts"),
                  GoldenPromptsSummary.getDescriptor().findFieldByName("count"),
                  ListJobsResponse.getDescriptor().findFieldByName("jobs"),
                  SubmitResponse.getDescriptor().findFieldByName("example_ids"),
                  SubmitSummary.getDescriptor().findFieldByName("errors")))
          .preservingProtoFieldNames()
          .omittingInsignificantWhitespace();

  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private JsonBodies() {}

  /** One JSON document; anything after it is refused, never silently dropped. */
  public static JsonNode parse(String body) {
    List<JsonNode> documents = parseAll(body);
    if (documents.size() > 1) {
      throw ApiException.badRequest(
          "The body holds "
              + documents.size()
              + " JSON documents; this endpoint takes one (JSON Lines only on"
              + " /v1/datasets/{dataset}/examples and /golden).");
    }
    return documents.getFirst();
  }

  /**
   * Every JSON document in the body: one, or several separated by whitespace (JSON Lines). All are
   * parsed before any is used, so a malformed line refuses the whole body and nothing is half-sent.
   */
  public static List<JsonNode> parseAll(String body) {
    if (body == null || body.isBlank()) {
      throw ApiException.badRequest("The request body is empty; send a JSON document.");
    }
    List<JsonNode> documents = new ArrayList<>();
    try (JsonParser parser = MAPPER.createParser(body)) {
      while (parser.nextToken() != null) {
        documents.add(MAPPER.readTree(parser));
      }
      return documents;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw ApiException.badRequest("Malformed JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string cannot fail", e);
    }
  }

  /**
   * The string fields of a small JSON object ({@code {"version": "...", "reason": "..."}}): a field
   * not in {@code allowed}, or one that is not a string, is refused naming it, so a typo is never
   * silently ignored. {@code prefix} is where the object sits ("" for the body itself, {@code [2]}
   * for an element), put before the field's name. A JSON null counts as absent.
   */
  public static Map<String, String> stringFields(
      JsonNode node, String prefix, List<String> allowed) {
    if (!node.isObject()) {
      throw ApiException.badField(
          prefix.isEmpty() ? "body" : prefix,
          "must be a JSON object with " + String.join(", ", allowed));
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String name = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      if (!allowed.contains(field.getKey())) {
        throw ApiException.badField(
            name, "is not a field here (allowed: " + String.join(", ", allowed) + ")");
      }
      JsonNode value = field.getValue();
      if (value.isNull()) {
        continue;
      }
      if (!value.isTextual()) {
        throw ApiException.badField(name, "must be a string");
      }
      fields.put(field.getKey(), value.asText());
    }
    return fields;
  }

  /** A Protobuf message as JSON with the .proto's snake_case field names. */
  public static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "cannot print " + message.getDescriptorForType().getFullName(), e);
    }
  }

  /**
   * Merges JSON into a Protobuf builder (snake_case or lowerCamel names), 400 naming the problem if
   * it does not fit.
   */
  public static <B extends Message.Builder> B merge(String json, B builder) {
    ProtoJsonCheck.check(parse(json), builder.getDescriptorForType(), "");
    try {
      PARSER.merge(json, builder);
      return builder;
    } catch (InvalidProtocolBufferException e) {
      throw ApiException.badRequest(
          "Invalid " + builder.getDescriptorForType().getName() + ": " + e.getMessage());
    }
  }
}
