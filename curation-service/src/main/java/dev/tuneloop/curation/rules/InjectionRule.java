package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.RejectReason;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chat-template control text inside content. Rendered for training, {@code <|im_start|>} or {@code
 * [INST]} in a message would open a turn the author never wrote and teach the model to emit
 * template markup. Checks the well-known markers of common templates, the dataset template's own
 * delimiters, and {@code ###} section headers when the template or the record's format uses them.
 */
public final class InjectionRule implements Rule {

  static final List<String> KNOWN_MARKERS =
      List.of(
          "<|im_start|>",
          "<|im_end|>",
          "<|endoftext|>",
          "<|eot_id|>",
          "<|start_header_id|>",
          "<|end_header_id|>",
          "<|begin_of_text|>",
          "<|system|>",
          "<|user|>",
          "<|assistant|>",
          "<|end|>",
          "[INST]",
          "[/INST]",
          "<<SYS>>",
          "<</SYS>>",
          "<s>",
          "</s>",
          "<start_of_turn>",
          "<end_of_turn>");

  private static final Pattern HASH_HEADER =
      Pattern.compile("(?im)^[ \\t]*###[ \\t]*(instruction|input|response|system|context)\\b");

  private final Set<String> markers;
  private final boolean templateUsesHashHeaders;

  /**
   * @param templateDelimiters the dataset template's own markers (from the template and tokenizer)
   * @param templateUsesHashHeaders whether the template renders "### Instruction" style headers
   *     (Alpaca)
   */
  public InjectionRule(List<String> templateDelimiters, boolean templateUsesHashHeaders) {
    this.markers = new LinkedHashSet<>(KNOWN_MARKERS);
    templateDelimiters.stream()
        .filter(d -> d != null && d.strip().length() >= 3)
        .map(String::strip)
        .forEach(markers::add);
    this.templateUsesHashHeaders = templateUsesHashHeaders;
  }

  @Override
  public void apply(Candidate c) {
    boolean hashHeaders = templateUsesHashHeaders || "delimited".equals(c.example().getFormat());
    List<ChatMessage> messages = c.messages();
    for (int i = 0; i < messages.size(); i++) {
      String content = messages.get(i).getContent();
      String found = marker(content);
      if (found != null) {
        c.reject(
            new Rejection(
                RejectReason.TEMPLATE_INJECTION,
                "message " + i + " contains the template marker '" + found + "'"));
        continue;
      }
      Matcher header = HASH_HEADER.matcher(content);
      if (hashHeaders && header.find()) {
        c.reject(
            new Rejection(
                RejectReason.TEMPLATE_INJECTION,
                "message "
                    + i
                    + " contains the section header '### "
                    + header.group(1).toLowerCase(Locale.ROOT)
                    + "' used by this dataset's format"));
      }
    }
  }

  private String marker(String content) {
    for (String m : markers) {
      if (content.contains(m)) {
        return m;
      }
    }
    return null;
  }
}
