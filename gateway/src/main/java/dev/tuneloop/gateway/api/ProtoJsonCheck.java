package dev.tuneloop.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Iterator;
import java.util.Map;

/**
 * Checks a JSON document against a Protobuf message's fields before Protobuf's own parser sees it,
 * so a wrong field is refused with its path ({@code lora.lora_r: must be an integer}) rather than
 * Protobuf's bare message.
 */
final class ProtoJsonCheck {
  private ProtoJsonCheck() {}

  static void check(JsonNode node, Descriptor type, String path) {
    if (!node.isObject()) {
      throw ApiException.badField(path.isEmpty() ? "body" : path, "must be a JSON object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String fieldPath = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
      FieldDescriptor field = find(type, entry.getKey());
      if (field == null) {
        throw ApiException.badField(fieldPath, "is not a field of " + type.getName());
      }
      JsonNode value = entry.getValue();
      if (value.isNull()) {
        continue;
      }
      if (field.isMapField()) {
        if (!value.isObject()) {
          throw ApiException.badField(fieldPath, "must be an object");
        }
      } else if (field.isRepeated()) {
        if (!value.isArray()) {
          throw ApiException.badField(fieldPath, "must be an array");
        }
        for (int i = 0; i < value.size(); i++) {
          checkValue(value.get(i), field, fieldPath + "[" + i + "]");
        }
      } else {
        checkValue(value, field, fieldPath);
      }
    }
  }

  private static FieldDescriptor find(Descriptor type, String name) {
    FieldDescriptor byName = type.findFieldByName(name);
    if (byName != null) {
      return byName;
    }
    return type.getFields().stream()
        .filter(f -> f.getJsonName().equals(name))
        .findFirst()
        .orElse(null);
  }

  private static void checkValue(JsonNode value, FieldDescriptor field, String path) {
    boolean ok =
        switch (field.getJavaType()) {
          case INT, LONG ->
              value.isIntegralNumber() || (value.isTextual() && value.asText().matches("-?\\d+"));
          case FLOAT, DOUBLE -> value.isNumber();
          case BOOLEAN -> value.isBoolean();
          case STRING -> value.isTextual();
          case BYTE_STRING -> value.isTextual();
          case ENUM ->
              value.isTextual() && field.getEnumType().findValueByName(value.asText()) != null
                  || value.isInt();
          case MESSAGE -> true;
        };
    if (!ok) {
      throw ApiException.badField(path, expectation(field));
    }
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && !field.getMessageType().getFullName().startsWith("google.protobuf.")) {
      check(value, field.getMessageType(), path);
    }
  }

  private static String expectation(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case INT, LONG -> "must be an integer";
      case FLOAT, DOUBLE -> "must be a number";
      case BOOLEAN -> "must be true or false";
      case STRING, BYTE_STRING -> "must be a string";
      case ENUM ->
          "must be one of "
              + field.getEnumType().getValues().stream().map(v -> v.getName()).toList();
      case MESSAGE -> "must be an object";
    };
  }
}
