package dev.tuneloop.llm.chat;

import static dev.tuneloop.llm.chat.ChatMessage.assistant;
import static dev.tuneloop.llm.chat.ChatMessage.system;
import static dev.tuneloop.llm.chat.ChatMessage.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.llm.tokenizer.HfTokenizer;
import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import dev.tuneloop.llm.tokenizer.TinyHfCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JinjaChatTemplateTest {

  private static final String CHATML_JINJA =
      "{% for message in messages %}"
          + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
          + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  @TempDir static Path dirs;
  private static Path qwenDir;
  private static HfTokenizer qwen;

  @BeforeAll
  static void load() throws IOException {
    qwenDir = TinyHfCheckpoints.writeQwenStyle(Files.createDirectory(dirs.resolve("qwen")));
    qwen = HfTokenizer.load(qwenDir);
  }

  @AfterAll
  static void close() {
    qwen.close();
  }

  static Stream<List<ChatMessage>> conversations() {
    return Stream.of(
        List.of(user("Hi"), assistant("Hello.")),
        List.of(system("Be brief."), user("  padded  "), assistant(" yes "), user("again")),
        List.of(user("a"), assistant("b"), user("c"), assistant("d <3 & 'e'")));
  }

  @ParameterizedTest
  @MethodSource("conversations")
  void metasLlama2JinjaTemplateRendersAndMasksAsTheBuiltIn(List<ChatMessage> chat) {
    ChatTemplate jinja =
        ChatTemplates.jinja(TinyHfCheckpoints.LLAMA2_STYLE_TEMPLATE, "<s>", "</s>");
    ChatTemplate builtin = ChatTemplates.named("llama2");
    assertThat(jinja.render(chat, true)).isEqualTo(builtin.render(chat, true));
    assertThat(jinja.renderWithSpans(chat, false)).isEqualTo(builtin.renderWithSpans(chat, false));
  }

  @ParameterizedTest
  @MethodSource("conversations")
  void aChatMlJinjaTemplateRendersAndMasksAsTheBuiltIn(List<ChatMessage> chat) {
    ChatTemplate jinja = ChatTemplates.jinja(CHATML_JINJA, "", "<|im_end|>");
    ChatTemplate builtin = ChatTemplates.named("chatml");
    assertThat(jinja.render(chat, true)).isEqualTo(builtin.render(chat, true));
    assertThat(jinja.renderWithSpans(chat, false).supervised())
        .isEqualTo(builtin.renderWithSpans(chat, false).supervised());
  }

  // Meta's Llama-3 template: a filter binds tighter than '+', as in Jinja2.
  private static final String LLAMA3_JINJA =
      "{% set loop_messages = messages %}{% for message in loop_messages %}"
          + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
          + "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
          + "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
          + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

  // Qwen2.5's layout: indented blocks with {%- -%} and {{- }} whitespace control, attribute access
  // on messages.
  private static final String QWEN25_JINJA =
      """
            {%- if messages[0].role == 'system' %}
                {{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}
            {%- else %}
                {{- '<|im_start|>system\\nYou are Qwen.<|im_end|>\\n' }}
            {%- endif %}
            {%- for message in messages %}
                {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant") %}
                    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
                {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}
                {{- '<|im_start|>assistant\\n' }}
            {%- endif %}
            """;

  @Test
  void llama3TemplateRendersWithTrimmedContentAndSupervisesUpToEotId() {
    ChatTemplate llama3 = ChatTemplates.jinja(LLAMA3_JINJA, "<|begin_of_text|>", "<|eot_id|>");
    RenderedChat rendered =
        llama3.renderWithSpans(List.of(user("  Hi  "), assistant("Hello")), false);
    assertThat(rendered.text())
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello<|eot_id|>");
    assertThat(rendered.supervisedText()).containsExactly("Hello<|eot_id|>");
  }

  @Test
  void qwen25TemplateHonoursWhitespaceControlAndLeavesTheNewlineAfterImEndUnsupervised() {
    ChatTemplate qwen25 = ChatTemplates.jinja(QWEN25_JINJA, "", "<|im_end|>");
    List<ChatMessage> chat =
        List.of(user("Hi"), assistant("Hello"), user("Again"), assistant("Bye"));
    RenderedChat rendered = qwen25.renderWithSpans(chat, false);
    assertThat(rendered.text())
        .isEqualTo(
            "<|im_start|>system\nYou are Qwen.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello<|im_end|>\n"
                + "<|im_start|>user\nAgain<|im_end|>\n<|im_start|>assistant\nBye<|im_end|>\n");
    assertThat(rendered.supervisedText()).containsExactly("Hello<|im_end|>", "Bye<|im_end|>");
  }

  @Test
  void strftimeNowIsAvailableToTemplates() {
    ChatTemplate dated = ChatTemplates.jinja("Today is {{ strftime_now('%Y') }}.", "", "");
    assertThat(dated.render(List.of(user("x")), true))
        .isEqualTo("Today is " + java.time.Year.now(java.time.ZoneOffset.UTC) + ".");
  }

  @Test
  void raiseExceptionInTheTemplateBecomesAnErrorWithItsMessage() {
    ChatTemplate jinja =
        ChatTemplates.jinja(TinyHfCheckpoints.LLAMA2_STYLE_TEMPLATE, "<s>", "</s>");
    assertThatThrownBy(() -> jinja.render(List.of(user("a"), user("b")), true))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("Conversation roles must alternate")
        .hasMessageContaining(jinja.name());
  }

  @Test
  void theCheckpointsTemplateIsReadFromTokenizerConfig() throws IOException {
    ChatTemplate template = ChatTemplates.forModel(qwenDir, qwen);
    assertThat(template.name()).startsWith("jinja-");
    assertThat(template.eosToken()).isEqualTo("<|im_end|>");
    assertThat(template.render(List.of(user("Hi")), true))
        .isEqualTo(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void supervisedTokensAreExactlyEachReplyAndItsImEnd() throws IOException {
    ChatTemplate template = ChatTemplates.fromTokenizerConfig(qwenDir);
    List<ChatMessage> chat =
        List.of(user("hi"), assistant("hello there"), user("hi"), assistant("the hi"));
    TokenizedChat tokenized = template.tokenizeForTraining(chat, qwen, false);
    List<Integer> supervised =
        IntStream.range(0, tokenized.length())
            .filter(i -> tokenized.supervised()[i])
            .mapToObj(i -> tokenized.tokens()[i])
            .toList();
    List<Integer> expected = new ArrayList<>();
    for (String reply : List.of("hello there", "the hi")) {
      IntStream.of(qwen.encode(reply)).forEach(expected::add);
      expected.add(qwen.eosId());
    }
    assertThat(supervised).isEqualTo(expected);
    assertThat(tokenized.tokens()[0]).as("Qwen adds no BOS").isNotEqualTo(qwen.bosId());
    int[] prompt = template.tokenizePrompt(chat.subList(0, 3), qwen);
    assertThat(java.util.Arrays.copyOf(tokenized.tokens(), prompt.length)).containsExactly(prompt);
  }

  @Test
  void aLlamaStyleCheckpointGetsOneBosAndEosFromItsOwnTokens(@TempDir Path dir) throws IOException {
    TinyHfCheckpoints.writeLlamaStyle(dir);
    try (HfTokenizer llama = HfTokenizer.load(dir)) {
      ChatTemplate template = ChatTemplates.forModel(dir, llama);
      TokenizedChat chat =
          template.tokenizeForTraining(List.of(user("is"), assistant("the")), llama, false);
      assertThat(chat.tokens()[0]).isEqualTo(1);
      assertThat(chat.tokens()[1]).isNotEqualTo(1);
      assertThat(chat.tokens()[chat.length() - 1]).isEqualTo(2);
      assertThat(chat.supervised()[chat.length() - 1]).isTrue();
      assertThat(llama.decode(supervisedIds(chat)))
          .isEqualTo("the "); // " the </s>": the space before </s> is a token
    }
  }

  @Test
  void aJinjaTemplateWorksWithTheLlama2cTokenizerToo() {
    Llama2cTokenizer tok = Llama2cTokenizer.stories260K();
    ChatTemplate jinja =
        ChatTemplates.jinja(TinyHfCheckpoints.LLAMA2_STYLE_TEMPLATE, "<s>", "</s>");
    List<ChatMessage> chat = List.of(user("Hi"), assistant("Once upon a time."));
    assertThat(jinja.tokenizeForTraining(chat, tok, false))
        .isEqualTo(ChatTemplates.named("llama2").tokenizeForTraining(chat, tok, false));
  }

  @Test
  void delimitersAreFoundInTheTemplateSource() {
    ChatTemplate jinja =
        ChatTemplates.jinja(TinyHfCheckpoints.LLAMA2_STYLE_TEMPLATE, "<s>", "</s>");
    assertThat(jinja.delimiters().strings())
        .containsExactlyInAnyOrder("[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "<s>", "</s>");
    assertThat(ChatTemplates.jinja(CHATML_JINJA, "", "<|im_end|>").delimiters().strings())
        .containsExactlyInAnyOrder("<|im_start|>", "<|im_end|>");
  }

  @Test
  void aTokenizerConfigWithoutChatTemplateIsAnErrorNamingTheFile(@TempDir Path dir)
      throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
    assertThatThrownBy(() -> ChatTemplates.fromTokenizerConfig(dir))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining(dir.resolve("tokenizer_config.json").toString())
        .hasMessageContaining("chat_template");
  }

  private static int[] supervisedIds(TokenizedChat chat) {
    return IntStream.range(0, chat.length())
        .filter(i -> chat.supervised()[i])
        .map(i -> chat.tokens()[i])
        .toArray();
  }
}
