package dev.tuneloop.llm.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Where chat templates come from: a checkpoint's tokenizer_config.json, or a built-in by name. */
public final class ChatTemplates {

  public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  public static final List<String> BUILTIN_NAMES = List.of("chatml", "llama2", "alpaca");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A conversation to measure a template's marker cost on. */
  private static final List<ChatMessage> PROBE =
      List.of(
          ChatMessage.user("Tell me a story about a cat."),
          ChatMessage.assistant("Once upon a time, there was a cat named Tom."),
          ChatMessage.user("What did he like?"),
          ChatMessage.assistant("He liked to play with a red ball."));

  private ChatTemplates() {}

  /** A built-in template: {@code chatml}, {@code llama2} or {@code alpaca} (case-insensitive). */
  public static ChatTemplate named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "chatml" -> new ChatMlTemplate();
      case "llama2", "llama-2" -> new Llama2Template();
      case "alpaca" -> new AlpacaTemplate();
      default ->
          throw new ChatTemplateException(
              "unknown chat template '" + name + "': built-ins are " + BUILTIN_NAMES);
    };
  }

  /**
   * The built-in for a model without a template of its own. A vocabulary with {@code <|im_start|>}
   * and {@code <|im_end|>} as single tokens was made for ChatML, so it gets chatml. Otherwise it is
   * the built-in whose markers cost the fewest tokens in this vocabulary, measured on a short
   * two-exchange conversation (ties go to the first of alpaca, chatml, llama2): a marker the
   * vocabulary spells piece by piece costs context on every turn and carries nothing the model has
   * seen, so the cheapest markers disturb it least. For stories260K's 512 pieces this is llama2:
   * {@code #} is not a piece (each of Alpaca's {@code ###} falls back to a byte token), ChatML's
   * {@code <|im_start|>} takes about ten pieces, while {@code [INST]} spells as six plain pieces,
   * {@code <s>} and {@code </s>} map to the model's own BOS and EOS, and the reply after {@code
   * "[/INST] "} starts with a space-prefixed word piece, as words do in the stories it was trained
   * on.
   */
  public static ChatTemplate defaultFor(Tokenizer tokenizer) {
    if (tokenizer.encode(ChatMlTemplate.START).length == 1
        && tokenizer.encode(ChatMlTemplate.END).length == 1) {
      return new ChatMlTemplate();
    }
    ChatTemplate best = null;
    int bestCost = Integer.MAX_VALUE;
    for (ChatTemplate candidate :
        List.of(new AlpacaTemplate(), new ChatMlTemplate(), new Llama2Template())) {
      int cost = candidate.tokenizeForTraining(PROBE, tokenizer, false).length();
      if (cost < bestCost) {
        best = candidate;
        bestCost = cost;
      }
    }
    return best;
  }

  /**
   * A Jinja template as Hugging Face writes it, with the texts of BOS and EOS it should see; for
   * tests and for templates supplied by configuration.
   */
  public static ChatTemplate jinja(String source, String bosToken, String eosToken) {
    return new JinjaChatTemplate(source, bosToken, eosToken);
  }

  /**
   * The {@code chat_template} of a tokenizer_config.json (the file, or the checkpoint directory
   * holding it), with its {@code bos_token} and {@code eos_token}.
   */
  public static ChatTemplate fromTokenizerConfig(Path fileOrDir) throws IOException {
    Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve(TOKENIZER_CONFIG) : fileOrDir;
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "tokenizer config not found");
    }
    return readTemplate(file)
        .orElseThrow(() -> new ChatTemplateException(file + " has no chat_template"));
  }

  /**
   * The template a checkpoint should be served and trained with: its own Jinja template when
   * tokenizer_config.json has one, else {@link #defaultFor(Tokenizer)}.
   */
  public static ChatTemplate forModel(Path checkpointDir, Tokenizer tokenizer) throws IOException {
    Path config = checkpointDir.resolve(TOKENIZER_CONFIG);
    if (Files.isRegularFile(config)) {
      Optional<ChatTemplate> own = readTemplate(config);
      if (own.isPresent()) {
        return own.get();
      }
    }
    return defaultFor(tokenizer);
  }

  private static Optional<ChatTemplate> readTemplate(Path file) throws IOException {
    JsonNode config;
    try {
      config = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    return templateSource(config.path("chat_template"), file)
        .map(
            source ->
                new JinjaChatTemplate(
                    source,
                    tokenText(config.path("bos_token")),
                    tokenText(config.path("eos_token"))));
  }

  /** A string, or a list of named templates of which the one named "default" is used. */
  private static Optional<String> templateSource(JsonNode node, Path file) {
    if (node.isTextual()) {
      return Optional.of(node.asText());
    }
    if (node.isArray()) {
      for (JsonNode named : node) {
        if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
          return Optional.of(named.path("template").asText());
        }
      }
      throw new ChatTemplateException(
          file + ": chat_template is a list without a template named 'default'");
    }
    return Optional.empty();
  }

  /** A special token written as a string or as an AddedToken object; empty when absent or null. */
  private static String tokenText(JsonNode node) {
    if (node.isTextual()) {
      return node.asText();
    }
    return node.path("content").isTextual() ? node.path("content").asText() : "";
  }
}
