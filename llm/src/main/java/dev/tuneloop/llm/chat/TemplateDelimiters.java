package dev.tuneloop.llm.chat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The marker strings a chat template writes around turns ({@code <|im_start|>}, {@code [INST]},
 * {@code ### Instruction:}, BOS/EOS text…). User content that contains one can impersonate another
 * role or end a turn early, so curation checks for them.
 */
public record TemplateDelimiters(List<String> strings) {

  /**
   * Markers recognised in Jinja template sources: ChatML/Llama-3 style tokens, [INST], <<SYS>>,
   * Gemma turns, ###.
   */
  private static final Pattern MARKER =
      Pattern.compile(
          "<\\|[A-Za-z0-9_]+\\|>|\\[/?INST\\]|<</?SYS>>|</?(?:start|end)_of_turn>|### ?[A-Z][A-Za-z]+:");

  public TemplateDelimiters {
    strings = List.copyOf(new LinkedHashSet<>(strings.stream().filter(s -> !s.isBlank()).toList()));
  }

  public static TemplateDelimiters of(String... strings) {
    return new TemplateDelimiters(List.of(strings));
  }

  /**
   * The markers of all built-in templates and of the common model families' own templates (Llama 3,
   * Qwen, Phi, Gemma): for checking content when the model it will train is not yet known.
   */
  public static TemplateDelimiters common() {
    LinkedHashSet<String> all = new LinkedHashSet<>();
    for (String name : ChatTemplates.BUILTIN_NAMES) {
      all.addAll(ChatTemplates.named(name).delimiters().strings());
    }
    all.addAll(
        List.of(
            "<|begin_of_text|>",
            "<|start_header_id|>",
            "<|end_header_id|>",
            "<|eot_id|>",
            "<|endoftext|>",
            "<|system|>",
            "<|user|>",
            "<|assistant|>",
            "<|end|>",
            "<start_of_turn>",
            "<end_of_turn>"));
    return new TemplateDelimiters(List.copyOf(all));
  }

  /** The markers in a Jinja template's source, plus its BOS and EOS texts. */
  static TemplateDelimiters scan(String templateSource, String bosToken, String eosToken) {
    LinkedHashSet<String> found = new LinkedHashSet<>();
    Matcher matcher = MARKER.matcher(templateSource);
    while (matcher.find()) {
      found.add(matcher.group());
    }
    found.add(bosToken);
    found.add(eosToken);
    return new TemplateDelimiters(List.copyOf(found));
  }

  /** The delimiters that occur in {@code text}; case-insensitive for the {@code ###} headings. */
  public List<String> foundIn(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    return strings.stream()
        .filter(
            d ->
                d.startsWith("###") ? lower.contains(d.toLowerCase(Locale.ROOT)) : text.contains(d))
        .toList();
  }

  public boolean anyIn(String text) {
    return !foundIn(text).isEmpty();
  }
}
