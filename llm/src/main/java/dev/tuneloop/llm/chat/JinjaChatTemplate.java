package dev.tuneloop.llm.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.OutputTooBigException;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A checkpoint's own Jinja {@code chat_template} (tokenizer_config.json), rendered with Jinjava in
 * the environment Hugging Face uses: {@code trim_blocks} and {@code lstrip_blocks}, variables
 * {@code messages}, {@code bos_token}, {@code eos_token}, {@code add_generation_prompt}, and the
 * functions {@code raise_exception(message)} and {@code strftime_now(format)}; {@code {{- -}}}
 * trims whitespace and operators bind as in Jinja2.
 *
 * <p>The supervised spans are found by rendering prefixes of the conversation: assistant turn
 * {@code k} is what {@code messages[0..k]} adds to {@code messages[0..k)} with its generation
 * prompt, so the mask is exact whatever the template writes. Whitespace after the turn's end marker
 * (ChatML's newline) is not supervised.
 *
 * <p>Templates come from checkpoints and adapters, and message content from users, so both are
 * untrusted: content is data (nested interpretation is off, so {@code {{ 7*7 }}} in a message stays
 * literal), and one render may write at most {@link #MAX_OUTPUT_CHARS} characters and run for at
 * most {@link #TIME_LIMIT} before it fails with a {@link ChatTemplateException}.
 */
final class JinjaChatTemplate implements ChatTemplate {

  /** Characters one render may write: far above any context window, far below the heap. */
  static final int MAX_OUTPUT_CHARS = 4 * 1024 * 1024;

  /** Wall time one render may take; a real template renders a chat in well under a millisecond. */
  static final Duration TIME_LIMIT = Duration.ofSeconds(2);

  /** The deadline of the render running on this thread (Jinjava renders on the caller's). */
  private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

  /** End-of-turn markers of common templates, used where the template's source contains them. */
  private static final List<String> KNOWN_END_MARKERS =
      List.of("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>");

  private final String source;
  private final String bosToken;
  private final String eosToken;
  private final String name;
  private final List<String> endMarkers;
  private final Jinjava jinjava;

  JinjaChatTemplate(String source, String bosToken, String eosToken) {
    this.source = source;
    this.bosToken = bosToken;
    this.eosToken = eosToken;
    this.name = "jinja-" + sha256(source).substring(0, 12);
    List<String> markers = new ArrayList<>();
    if (!eosToken.isEmpty()) {
      markers.add(eosToken);
    }
    KNOWN_END_MARKERS.stream()
        .filter(m -> source.contains(m) && !markers.contains(m))
        .forEach(markers::add);
    this.endMarkers = List.copyOf(markers);
    this.jinjava =
        new Jinjava(
            JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withNestedInterpretationEnabled(false) // {{ x }} prints x, never renders it
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withMaxStringLength(MAX_OUTPUT_CHARS) // no string built past the cap either
                .withNodePreProcessor((node, interpreter) -> checkDeadline())
                .withLegacyOverrides(
                    LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true) // {{- ... -}} as in Jinja2
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build());
    jinjava
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "raise_exception", JinjaChatTemplate.class, "raiseException", String.class));
    jinjava
        .getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "strftime_now", JinjaChatTemplate.class, "strftimeNow", String.class));
  }

  /** Called by templates as {@code raise_exception('...')}. */
  public static String raiseException(String message) {
    throw new TemplateRaised(message);
  }

  /**
   * Called by templates as {@code strftime_now('%d %b %Y')} (Llama 3.1 writes today's date), in
   * UTC.
   */
  public static String strftimeNow(String format) {
    return StrftimeFormatter.format(ZonedDateTime.now(ZoneOffset.UTC), format, Locale.US);
  }

  private static final class TemplateRaised extends RuntimeException {
    TemplateRaised(String message) {
      super(message);
    }
  }

  /** Thrown before rendering a node once the render's time is up; Jinjava reports it as fatal. */
  private static final class TemplateTimedOut extends RuntimeException {
    TemplateTimedOut() {
      super(
          "rendering took longer than the time limit of "
              + TIME_LIMIT.toMillis()
              + " ms; the template loops too long");
    }
  }

  private static void checkDeadline() {
    Long deadline = DEADLINE.get();
    if (deadline != null && System.nanoTime() - deadline > 0) {
      throw new TemplateTimedOut();
    }
  }

  @Override
  public RenderedChat renderWithSpans(List<ChatMessage> messages, boolean addGenerationPrompt) {
    String text = renderText(messages, addGenerationPrompt);
    List<RenderedChat.Span> spans = new ArrayList<>();
    for (int k = 0; k < messages.size(); k++) {
      if (messages.get(k).role() == Role.ASSISTANT) {
        spans.add(assistantSpan(messages, k, text));
      }
    }
    return new RenderedChat(text, spans);
  }

  private RenderedChat.Span assistantSpan(List<ChatMessage> messages, int k, String full) {
    String before = renderText(messages.subList(0, k), true);
    String through = renderText(messages.subList(0, k + 1), false);
    int start = commonPrefixLength(before, through);
    int end = endOfTurn(through, start);
    if (!full.startsWith(through.substring(0, end))) {
      throw new ChatTemplateException(
          "chat template "
              + name
              + " renders assistant message "
              + k
              + " differently once later messages follow, so its training span cannot be located");
    }
    return new RenderedChat.Span(start, end);
  }

  /**
   * The end of the turn: after its end marker, leaving out whitespace the template adds after the
   * marker.
   */
  private int endOfTurn(String through, int start) {
    String turn = through.substring(start).stripTrailing();
    for (String marker : endMarkers) {
      if (turn.endsWith(marker)) {
        return start + turn.length();
      }
    }
    return through.length();
  }

  private String renderText(List<ChatMessage> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> turns = new ArrayList<>();
    for (ChatMessage message : messages) {
      turns.add(Map.of("role", message.role().wireName(), "content", message.content()));
    }
    Map<String, Object> context = new HashMap<>();
    context.put("messages", turns);
    context.put("bos_token", bosToken);
    context.put("eos_token", eosToken);
    context.put("add_generation_prompt", addGenerationPrompt);
    RenderResult result;
    DEADLINE.set(System.nanoTime() + TIME_LIMIT.toNanos());
    try {
      result = jinjava.renderForResult(source, context);
    } finally {
      DEADLINE.remove();
    }
    for (TemplateError error : result.getErrors()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw new ChatTemplateException(
            "chat template " + name + ": " + describe(error), error.getException());
      }
    }
    return result.getOutput();
  }

  private static String describe(TemplateError error) {
    for (Throwable t = error.getException(); t != null; t = t.getCause()) {
      if (t instanceof TemplateRaised || t instanceof TemplateTimedOut) {
        return t.getMessage();
      }
      if (t instanceof OutputTooBigException) {
        return "the output is longer than the limit of " + MAX_OUTPUT_CHARS + " characters";
      }
    }
    return error.getMessage() + " (line " + error.getLineno() + ")";
  }

  private static int commonPrefixLength(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** The Jinja source. */
  public String source() {
    return source;
  }

  @Override
  public String bosToken() {
    return bosToken;
  }

  @Override
  public String eosToken() {
    return eosToken;
  }

  @Override
  public TemplateDelimiters delimiters() {
    return TemplateDelimiters.scan(source, bosToken, eosToken);
  }

  @Override
  public List<String> stopSequences() {
    return endMarkers;
  }

  @Override
  public String toString() {
    return "ChatTemplate[" + name + "]";
  }
}
