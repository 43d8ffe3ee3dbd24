package dev.tuneloop.llm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a Hugging Face checkpoint's own files say about BOS and EOS: {@code tokenizer_config.json}
 * first, then {@code special_tokens_map.json} (tokens as text), then {@code config.json} (token
 * ids).
 */
record CheckpointTokenFiles(
    JsonNode tokenizerConfig, JsonNode specialTokensMap, JsonNode modelConfig) {

  static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
  static final String MODEL_CONFIG = "config.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  static CheckpointTokenFiles read(Path dir) throws IOException {
    return new CheckpointTokenFiles(
        readIfPresent(dir.resolve(TOKENIZER_CONFIG)),
        readIfPresent(dir.resolve(SPECIAL_TOKENS_MAP)),
        readIfPresent(dir.resolve(MODEL_CONFIG)));
  }

  private static JsonNode readIfPresent(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
    }
  }

  /** The text of a special token ({@code "bos_token"}), as a string or as an AddedToken object. */
  Optional<String> tokenText(String key) {
    return tokenText(tokenizerConfig.path(key)).or(() -> tokenText(specialTokensMap.path(key)));
  }

  /** An id from config.json ({@code "bos_token_id"}); a list (several EOS ids) gives its first. */
  OptionalInt tokenId(String key) {
    JsonNode node = modelConfig.path(key);
    if (node.isArray() && !node.isEmpty()) {
      node = node.get(0);
    }
    return node.canConvertToInt() && node.isIntegralNumber()
        ? OptionalInt.of(node.asInt())
        : OptionalInt.empty();
  }

  /** tokenizer_config.json's {@code add_bos_token}, where it says so. */
  Optional<Boolean> addBosToken() {
    JsonNode node = tokenizerConfig.path("add_bos_token");
    return node.isBoolean() ? Optional.of(node.asBoolean()) : Optional.empty();
  }

  private static Optional<String> tokenText(JsonNode node) {
    if (node.isTextual()) {
      return Optional.of(node.asText());
    }
    if (node.isObject() && node.path("content").isTextual()) {
      return Optional.of(node.path("content").asText());
    }
    return Optional.empty();
  }
}
