package dev.tuneloop.llm.chat;

import static dev.tuneloop.llm.chat.ChatMessage.assistant;
import static dev.tuneloop.llm.chat.ChatMessage.user;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.llm.tokenizer.HfTokenizer;
import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import dev.tuneloop.llm.tokenizer.TinyHfCheckpoints;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplatesTest {

  private static final List<ChatMessage> CHAT =
      List.of(user("Tell me a story."), assistant("Once upon a time."));

  @Test
  void stories260KDefaultsToTheBuiltInWithTheCheapestMarkers() {
    Llama2cTokenizer tok = Llama2cTokenizer.stories260K();
    ChatTemplate chosen = ChatTemplates.defaultFor(tok);
    assertThat(chosen.name()).isEqualTo("llama2");
    for (String other : List.of("chatml", "alpaca")) {
      assertThat(chosen.tokenizeForTraining(CHAT, tok, false).length())
          .isLessThan(ChatTemplates.named(other).tokenizeForTraining(CHAT, tok, false).length());
    }
  }

  @Test
  void aCheckpointWithoutTemplateButWithChatMlTokensGetsChatMl(@TempDir Path dir)
      throws IOException {
    TinyHfCheckpoints.writeQwenStyle(dir);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"<|im_end|>\"}");
    try (HfTokenizer tok = HfTokenizer.load(dir)) {
      assertThat(ChatTemplates.forModel(dir, tok).name()).isEqualTo("chatml");
    }
  }

  @Test
  void aLlama2cCheckpointGetsTheDefault(@TempDir Path dir) throws IOException {
    try (InputStream in = getClass().getResourceAsStream(Llama2cTokenizer.STORIES260K_RESOURCE)) {
      Files.copy(in, dir.resolve("tokenizer.bin"));
    }
    Llama2cTokenizer tok = Llama2cTokenizer.load(dir.resolve("tokenizer.bin"));
    assertThat(ChatTemplates.forModel(dir, tok).name())
        .isEqualTo(ChatTemplates.defaultFor(tok).name());
  }

  @Test
  void templateNamesAreStableForRecordingWithAnAdapter() {
    assertThat(ChatTemplates.BUILTIN_NAMES)
        .allSatisfy(n -> assertThat(ChatTemplates.named(n).name()).isEqualTo(n));
    String source = "{{ messages[0]['content'] }}";
    assertThat(ChatTemplates.jinja(source, "", "").name())
        .isEqualTo(ChatTemplates.jinja(source, "<s>", "").name());
  }
}
