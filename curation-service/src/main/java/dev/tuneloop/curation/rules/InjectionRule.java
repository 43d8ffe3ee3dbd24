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
 * <|start_header_id|>} in a message would open a turn the author never wrote and teach the model to
 * emit template markup. Checks the markers of current model families ({@link TemplateMarkers}), the
 * dataset template's own delimiters and its tokenizer's special tokens, anything shaped like a
 * special token ({@code <|name|>}), and {@code ###} section headers: always when a message carries
 * both an instruction and a response header (an Alpaca prompt pasted in), a single one only when
 * the template or the record's format uses them.
 */
public final class InjectionRule implements Rule {

  static final List<String> KNOWN_MARKERS = TemplateMarkers.all();

  // Special-token shape shared by most families: <|eot_id|>, <|tool_call|>, <｜User｜>.
  private static final Pattern SPECIAL_TOKEN_SHAPE =
      Pattern.compile("<[|\uFF5C][A-Za-z0-9_\u2581]{2,40}[|\uFF5C]>");

  private static final Pattern HASH_HEADER =
      Pattern.compile("(?im)^[ \\t]*###[ \\t]*(instruction|input|response|system|context)\\b");
  private static final Pattern ALPACA_PAIR =
      Pattern.compile("(?is)###[ \\t]*instruction\\b.*###[ \\t]*response\\b");

  private final Set<String> markers;
  private final boolean allBracketed;
  private final boolean templateUsesHashHeaders;

  /**
   * @param templateDelimiters the dataset template's own markers (from the template, its tokenizer
   *     and the policy's tokenizer-json)
   * @param templateUsesHashHeaders whether the template renders "### Instruction" style headers
   *     (Alpaca)
   */
  public InjectionRule(List<String> templateDelimiters, boolean templateUsesHashHeaders) {
    this.markers = new LinkedHashSet<>(KNOWN_MARKERS);
    templateDelimiters.stream()
        .filter(d -> d != null && d.strip().length() >= 3)
        .map(String::strip)
        .forEach(markers::add);
    this.allBracketed = markers.stream().allMatch(m -> m.startsWith("<") || m.startsWith("["));
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
      if (ALPACA_PAIR.matcher(content).find()) {
        c.reject(
            new Rejection(
                RejectReason.TEMPLATE_INJECTION,
                "message "
                    + i
                    + " contains an Alpaca prompt ('### Instruction' ... '### Response')"));
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
    if (allBracketed && content.indexOf('<') < 0 && content.indexOf('[') < 0) {
      return null; // every marker starts with one of these; most messages have neither
    }
    for (String m : markers) {
      if (content.contains(m)) {
        return m;
      }
    }
    Matcher shape = SPECIAL_TOKEN_SHAPE.matcher(content);
    return shape.find() ? shape.group() : null;
  }
}
