package dev.tuneloop.curation.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat-template control strings of current model families, one row per family, with where the
 * strings come from (each family's tokenizer_config.json / tokenizer.json on the Hugging Face Hub,
 * read 2026-12). A string here inside a message would be read as template structure when the
 * example is rendered for a model of that family. Add a row when a family ships new markers; the
 * generic {@code <|name|>} shape in {@link InjectionRule} also catches unknown ones.
 */
public final class TemplateMarkers {

  /** One family's markers. */
  public record Family(String name, String source, List<String> markers) {}

  public static final List<Family> FAMILIES =
      List.of(
          new Family(
              "ChatML (Qwen 1.5-3, Yi, OpenHermes, Phi-4)",
              "Qwen/Qwen2.5-7B-Instruct tokenizer_config.json; microsoft/phi-4",
              List.of("<|im_start|>", "<|im_end|>", "<|im_sep|>")),
          new Family(
              "Llama 2, Mistral v1 [INST] format",
              "meta-llama/Llama-2-7b-chat-hf chat_template; mistralai/Mistral-7B-Instruct-v0.1",
              List.of("[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "<s>", "</s>")),
          new Family(
              "Llama 3 / 3.1 / 3.2 / 3.3",
              "meta-llama/Llama-3.1-8B-Instruct tokenizer.json added_tokens",
              List.of(
                  "<|begin_of_text|>",
                  "<|end_of_text|>",
                  "<|start_header_id|>",
                  "<|end_header_id|>",
                  "<|eot_id|>",
                  "<|eom_id|>",
                  "<|python_tag|>",
                  "<|finetune_right_pad_id|>")),
          new Family(
              "Gemma 1 / 2 / 3",
              "google/gemma-2-9b-it tokenizer_config.json",
              List.of("<start_of_turn>", "<end_of_turn>", "<bos>", "<eos>")),
          new Family(
              "Phi-3, Zephyr, TinyLlama chat",
              "microsoft/Phi-3-mini-4k-instruct; HuggingFaceH4/zephyr-7b-beta chat_template",
              List.of("<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "<|endoftext|>")),
          new Family(
              "Mistral v3 / v7 (tekken) control tokens",
              "mistralai/Mistral-7B-Instruct-v0.3, Mistral-Small-24B-Instruct-2501 tokenizer.json",
              List.of(
                  "[SYSTEM_PROMPT]",
                  "[/SYSTEM_PROMPT]",
                  "[AVAILABLE_TOOLS]",
                  "[/AVAILABLE_TOOLS]",
                  "[TOOL_CALLS]",
                  "[TOOL_RESULTS]",
                  "[/TOOL_RESULTS]")),
          new Family(
              "DeepSeek V2 / V3 / R1 (full-width bars)",
              "deepseek-ai/DeepSeek-V3 tokenizer_config.json",
              List.of(
                  "<\uFF5Cbegin\u2581of\u2581sentence\uFF5C>",
                  "<\uFF5Cend\u2581of\u2581sentence\uFF5C>",
                  "<\uFF5CUser\uFF5C>",
                  "<\uFF5CAssistant\uFF5C>")),
          new Family(
              "Cohere Command R / R+",
              "CohereForAI/c4ai-command-r-v01 tokenizer_config.json",
              List.of(
                  "<BOS_TOKEN>",
                  "<|START_OF_TURN_TOKEN|>",
                  "<|END_OF_TURN_TOKEN|>",
                  "<|USER_TOKEN|>",
                  "<|CHATBOT_TOKEN|>",
                  "<|SYSTEM_TOKEN|>")),
          new Family(
              "IBM Granite 3",
              "ibm-granite/granite-3.1-8b-instruct tokenizer_config.json",
              List.of("<|start_of_role|>", "<|end_of_role|>", "<|end_of_text|>")),
          new Family(
              "OpenAI harmony (gpt-oss)",
              "openai/gpt-oss-20b tokenizer_config.json",
              List.of("<|start|>", "<|message|>", "<|channel|>", "<|return|>", "<|call|>")));

  private TemplateMarkers() {}

  /** Every family's markers, in table order. */
  public static List<String> all() {
    List<String> all = new ArrayList<>();
    FAMILIES.forEach(f -> all.addAll(f.markers()));
    return all;
  }

  /**
   * The special added tokens ({@code "special": true}) of a Hugging Face tokenizer.json: the
   * dataset's own template markers, whatever family it is.
   *
   * @throws IllegalArgumentException naming the file and the policy key when it cannot be read
   */
  public static List<String> specialTokens(Path tokenizerJson) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(tokenizerJson));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "curation policy tokenizer-json: cannot read "
              + tokenizerJson
              + " as a tokenizer.json ("
              + e.getMessage()
              + ")",
          e);
    }
    List<String> tokens = new ArrayList<>();
    for (JsonNode t : root.path("added_tokens")) {
      if (t.path("special").asBoolean(false) && !t.path("content").asText("").isBlank()) {
        tokens.add(t.path("content").asText());
      }
    }
    return tokens;
  }
}
