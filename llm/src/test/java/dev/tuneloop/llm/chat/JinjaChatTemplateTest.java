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

    private static final String CHATML_JINJA = "{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    @TempDir
    static Path dirs;
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
        ChatTemplate jinja = ChatTemplates.jinja(TinyHfCheckpoints.LLAMA2_STYLE_TEMPLATE, "<s>", "</s>");
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

    @Test
    void raiseExceptionInTheTemplateBecomesAnErrorWithItsMessage() {
        ChatTemplate jinja = ChatTemplates.jinja(TinyHfCheckpoints.LLAMA2_STYLE_TEMPLATE, "<s>", "</s>");
        assertThatThrownBy(() -> jinja.render(List.of(user("a"), user("b")), true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("Conversation roles must alternate").hasMessageContaining(jinja.name());
    }

    @Test
    void theCheckpointsTemplateIsReadFromTokenizerConfig() throws IOException {
        ChatTemplate template = ChatTemplates.forModel(qwenDir, qwen);
        assertThat(template.name()).startsWith("jinja-");
        assertThat(template.eosToken()).isEqualTo("<|im_end|>");
        assertThat(template.render(List.of(user("Hi")), true)).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void supervisedTokensAreExactlyEachReplyAndItsImEnd() throws IOException {
        ChatTemplate template = ChatTemplates.fromTokenizerConfig(qwenDir);
        List<ChatMessage> chat = List.of(user("hi"), assistant("hello there"), user("hi"), assistant("the hi"));
        TokenizedChat tokenized = template.tokenizeForTraining(chat, qwen, false);
        List<Integer> supervised = IntStream.range(0, tokenized.length())
                .filter(i -> tokenized.supervised()[i]).mapToObj(i -> tokenized.tokens()[i]).toList();
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
            TokenizedChat chat = template.tokenizeForTraining(List.of(user("is"), assistant("the")), llama, false);
            assertThat(chat.tokens()[0]).isEqualTo(1);
            assertThat(chat.tokens()[1]).isNotEqualTo(1);
            assertThat(chat.tokens()[chat.length() - 1]).isEqualTo(2);
            assertThat(chat.supervised()[chat.length() - 1]).isTrue();
            assertThat(llama.decode(supervisedIds(chat))).isEqualTo("the "); // " the </s>": the space before </s> is a token
        }
    }

    @Test
    void aJinjaTemplateWorksWithTheLlama2cTokenizerToo() {
        Llama2cTokenizer tok = Llama2cTokenizer.stories260K();
        ChatTemplate jinja = ChatTemplates.jinja(TinyHfCheckpoints.LLAMA2_STYLE_TEMPLATE, "<s>", "</s>");
        List<ChatMessage> chat = List.of(user("Hi"), assistant("Once upon a time."));
        assertThat(jinja.tokenizeForTraining(chat, tok, false))
                .isEqualTo(ChatTemplates.named("llama2").tokenizeForTraining(chat, tok, false));
    }

    @Test
    void delimitersAreFoundInTheTemplateSource() {
        ChatTemplate jinja = ChatTemplates.jinja(TinyHfCheckpoints.LLAMA2_STYLE_TEMPLATE, "<s>", "</s>");
        assertThat(jinja.delimiters().strings())
                .containsExactlyInAnyOrder("[INST]", "[/INST]", "<<SYS>>", "<</SYS>>", "<s>", "</s>");
        assertThat(ChatTemplates.jinja(CHATML_JINJA, "", "<|im_end|>").delimiters().strings())
                .containsExactlyInAnyOrder("<|im_start|>", "<|im_end|>");
    }

    @Test
    void aTokenizerConfigWithoutChatTemplateIsAnErrorNamingTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
        assertThatThrownBy(() -> ChatTemplates.fromTokenizerConfig(dir))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString())
                .hasMessageContaining("chat_template");
    }

    private static int[] supervisedIds(TokenizedChat chat) {
        return IntStream.range(0, chat.length()).filter(i -> chat.supervised()[i]).map(i -> chat.tokens()[i]).toArray();
    }
}
