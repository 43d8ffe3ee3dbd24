package dev.tuneloop.llm.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small but real Hugging Face tokenizer files for tests (no downloads): a byte-level BPE
 * with ChatML markers (Qwen2-style) and a SentencePiece-style BPE with byte fallback and a
 * BOS-adding post-processor (Llama-2-style).
 */
public final class TinyHfCheckpoints {

  public static final String QWEN_STYLE_TEMPLATE =
      "{% for message in messages %}"
          + "{% if loop.first and messages[0]['role'] != 'system' %}"
          + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
          + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
          + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  public static final String LLAMA2_STYLE_TEMPLATE =
      "{% if messages[0]['role'] == 'system' %}"
          + "{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
          + "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
          + "{% for message in loop_messages %}"
          + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
          + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
          + "{% if loop.index0 == 0 and system_message != false %}"
          + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
          + "{% else %}{% set content = message['content'] %}{% endif %}"
          + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
          + "{% elif message['role'] == 'assistant' %}{{ ' ' + content.strip() + ' ' + eos_token }}{% endif %}"
          + "{% endfor %}";

  private static final ObjectMapper JSON = new ObjectMapper();

  private TinyHfCheckpoints() {}

  /**
   * Byte-level BPE; ids 0..255 bytes, then merges, then {@code <|endoftext|>, <|im_start|>,
   * <|im_end|>}.
   */
  public static Path writeQwenStyle(Path dir) throws IOException {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    char[] byteChars = byteLevelAlphabet();
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(byteChars[b]), b);
    }
    List<String> merges =
        List.of("Ġ h", "Ġh i", "h e", "l l", "he ll", "hell o", "Ġ t", "Ġt h", "Ġth e");
    for (String merge : merges) {
      vocab.put(merge.replace(" ", ""), vocab.size());
    }
    List<Map<String, Object>> added = new ArrayList<>();
    for (String special : List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>")) {
      added.add(addedToken(vocab.size(), special));
      vocab.put(special, vocab.size());
    }
    Map<String, Object> byteLevel =
        Map.of(
            "type",
            "ByteLevel",
            "add_prefix_space",
            false,
            "trim_offsets",
            false,
            "use_regex",
            true);
    Map<String, Object> tokenizer = new LinkedHashMap<>();
    tokenizer.put("version", "1.0");
    tokenizer.put("added_tokens", added);
    tokenizer.put("normalizer", null);
    tokenizer.put("pre_tokenizer", byteLevel);
    tokenizer.put("post_processor", byteLevel);
    tokenizer.put("decoder", byteLevel);
    tokenizer.put("model", bpe(vocab, merges, null, false));
    JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizer);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("bos_token", null);
    config.put("eos_token", "<|im_end|>");
    config.put("chat_template", QWEN_STYLE_TEMPLATE);
    JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    JSON.writeValue(
        dir.resolve("config.json").toFile(),
        Map.of(
            "model_type",
            "qwen2",
            "bos_token_id",
            vocab.get("<|endoftext|>"),
            "eos_token_id",
            vocab.get("<|im_end|>")));
    return dir;
  }

  /**
   * SentencePiece-style BPE: {@code <unk>, <s>, </s>}, byte pieces 3..258, "▁" and printable ASCII,
   * a few merges; the normalizer turns spaces into "▁" and prepends one, the post-processor adds
   * {@code <s>}.
   */
  public static Path writeLlamaStyle(Path dir) throws IOException {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    vocab.put("<unk>", 0);
    vocab.put("<s>", 1);
    vocab.put("</s>", 2);
    for (int b = 0; b < 256; b++) {
      vocab.put(String.format("<0x%02X>", b), vocab.size());
    }
    vocab.put("▁", vocab.size());
    for (char c = '!'; c <= '~'; c++) {
      vocab.putIfAbsent(String.valueOf(c), vocab.size());
    }
    List<String> merges =
        List.of("▁ t", "h e", "▁t he", "▁ [", "I N", "IN S", "INS T", "▁ a", "i s");
    for (String merge : merges) {
      vocab.put(merge.replace(" ", ""), vocab.size());
    }
    List<Map<String, Object>> added =
        List.of(addedToken(0, "<unk>"), addedToken(1, "<s>"), addedToken(2, "</s>"));
    Map<String, Object> tokenizer = new LinkedHashMap<>();
    tokenizer.put("version", "1.0");
    tokenizer.put("added_tokens", added);
    tokenizer.put(
        "normalizer",
        Map.of(
            "type",
            "Sequence",
            "normalizers",
            List.of(
                Map.of("type", "Prepend", "prepend", "▁"),
                Map.of("type", "Replace", "pattern", Map.of("String", " "), "content", "▁"))));
    tokenizer.put("pre_tokenizer", null);
    Map<String, Object> bosSpecial = Map.of("SpecialToken", Map.of("id", "<s>", "type_id", 0));
    tokenizer.put(
        "post_processor",
        Map.of(
            "type",
            "TemplateProcessing",
            "single",
            List.of(bosSpecial, Map.of("Sequence", Map.of("id", "A", "type_id", 0))),
            "pair",
            List.of(
                bosSpecial,
                Map.of("Sequence", Map.of("id", "A", "type_id", 0)),
                Map.of("SpecialToken", Map.of("id", "<s>", "type_id", 1)),
                Map.of("Sequence", Map.of("id", "B", "type_id", 1))),
            "special_tokens",
            Map.of("<s>", Map.of("id", "<s>", "ids", List.of(1), "tokens", List.of("<s>")))));
    tokenizer.put(
        "decoder",
        Map.of(
            "type",
            "Sequence",
            "decoders",
            List.of(
                Map.of("type", "Replace", "pattern", Map.of("String", "▁"), "content", " "),
                Map.of("type", "ByteFallback"),
                Map.of("type", "Fuse"),
                Map.of("type", "Strip", "content", " ", "start", 1, "stop", 0))));
    tokenizer.put("model", bpe(vocab, merges, "<unk>", true));
    JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizer);
    JSON.writeValue(
        dir.resolve("tokenizer_config.json").toFile(),
        Map.of(
            "add_bos_token",
            true,
            "bos_token",
            addedToken(1, "<s>"),
            "eos_token",
            "</s>",
            "chat_template",
            LLAMA2_STYLE_TEMPLATE));
    return dir;
  }

  private static Map<String, Object> bpe(
      Map<String, Integer> vocab, List<String> merges, String unk, boolean byteFallback) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("type", "BPE");
    model.put("dropout", null);
    model.put("unk_token", unk);
    model.put("continuing_subword_prefix", null);
    model.put("end_of_word_suffix", null);
    model.put("fuse_unk", byteFallback);
    model.put("byte_fallback", byteFallback);
    model.put("vocab", vocab);
    model.put("merges", merges);
    return model;
  }

  private static Map<String, Object> addedToken(int id, String content) {
    Map<String, Object> token = new LinkedHashMap<>();
    token.put("id", id);
    token.put("content", content);
    token.put("single_word", false);
    token.put("lstrip", false);
    token.put("rstrip", false);
    token.put("normalized", false);
    token.put("special", true);
    return token;
  }

  /**
   * GPT-2's byte-to-character table: printable bytes stand for themselves, the rest map past
   * U+0100.
   */
  private static char[] byteLevelAlphabet() {
    char[] chars = new char[256];
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable =
          (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      chars[b] = printable ? (char) b : (char) next++;
    }
    return chars;
  }
}
