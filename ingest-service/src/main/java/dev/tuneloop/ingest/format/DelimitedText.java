package dev.tuneloop.ingest.format;

import dev.tuneloop.ingest.InvalidRecordException;
import dev.tuneloop.proto.v1.PromptResponse;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "### Instruction ###" style: sections introduced by a header line ({@code ### Instruction
 * ###} or {@code ### Instruction:}), named System, Instruction, Input (or Context) and Response.
 */
final class DelimitedText {

  private static final Pattern HEADER =
      Pattern.compile(
          "(?im)^[ \\t]*###[ \\t]*(system|instruction|input|context|response)[ \\t]*(?:###|:)?[ \\t]*");

  private DelimitedText() {}

  static PromptResponse parse(String text) {
    Map<String, String> sections = sections(text);
    String instruction = sections.get("instruction");
    String response = sections.get("response");
    if (instruction == null || response == null) {
      throw new InvalidRecordException(
          "delimited text needs '### Instruction ###' and '### Response ###' sections; found "
              + (sections.isEmpty() ? "none" : sections.keySet()));
    }
    String input = sections.getOrDefault("input", "");
    return PromptResponse.newBuilder()
        .setPrompt(input.isBlank() ? instruction : instruction + "\n\n" + input)
        .setResponse(response)
        .setSystem(sections.getOrDefault("system", ""))
        .build();
  }

  private static Map<String, String> sections(String text) {
    Map<String, String> sections = new LinkedHashMap<>();
    Matcher m = HEADER.matcher(text);
    String name = null;
    int start = 0;
    while (m.find()) {
      if (name != null) {
        put(sections, name, text.substring(start, m.start()));
      } else if (!text.substring(0, m.start()).isBlank()) {
        throw new InvalidRecordException(
            "delimited text has content before its first '###' header");
      }
      name = m.group(1).toLowerCase(Locale.ROOT).replace("context", "input");
      start = m.end();
    }
    if (name != null) {
      put(sections, name, text.substring(start));
    }
    return sections;
  }

  private static void put(Map<String, String> sections, String name, String body) {
    if (sections.putIfAbsent(name, body.strip()) != null) {
      throw new InvalidRecordException("delimited text has the '### " + name + "' section twice");
    }
  }
}
