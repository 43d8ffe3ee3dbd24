package dev.tuneloop.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {

  @Test
  void aDirectoryWithTokenizerJsonLoadsTheHuggingFaceTokenizer(@TempDir Path dir)
      throws IOException {
    TinyHfCheckpoints.writeQwenStyle(dir);
    copyTok512(dir.resolve("tokenizer.bin"));
    try (Tokenizer tok = Tokenizers.load(dir)) {
      assertThat(tok).isInstanceOf(HfTokenizer.class);
    }
  }

  @Test
  void aDirectoryWithTokenizerBinLoadsTheLlama2cTokenizer(@TempDir Path dir) throws IOException {
    copyTok512(dir.resolve("tokenizer.bin"));
    assertThat(Tokenizers.load(dir))
        .isInstanceOf(Llama2cTokenizer.class)
        .extracting(Tokenizer::vocabSize)
        .isEqualTo(512);
  }

  @Test
  void aSingleTokStarBinIsFound(@TempDir Path dir) throws IOException {
    copyTok512(dir.resolve("tok512.bin"));
    assertThat(Tokenizers.load(dir).encode("Once")).containsExactly(403);
    assertThat(Tokenizers.load(dir.resolve("tok512.bin")).encode("Once")).containsExactly(403);
  }

  @Test
  void aMissingTokenizerIsAnErrorNamingTheDirectoryAndTheFilesLookedFor(@TempDir Path dir)
      throws IOException {
    Files.writeString(dir.resolve("config.json"), "{}");
    assertThatThrownBy(() -> Tokenizers.load(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("tokenizer.json")
        .hasMessageContaining("tokenizer.bin")
        .hasMessageContaining("tok*.bin");
  }

  @Test
  void twoLlama2cCandidatesAreAnErrorNamingBoth(@TempDir Path dir) throws IOException {
    copyTok512(dir.resolve("tok512.bin"));
    copyTok512(dir.resolve("tok4096.bin"));
    assertThatThrownBy(() -> Tokenizers.load(dir))
        .hasMessageContaining("tok512.bin")
        .hasMessageContaining("tok4096.bin");
  }

  @Test
  void aSentencePieceModelAloneIsNamedAsUnsupported(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("tokenizer.model"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> Tokenizers.load(dir)).hasMessageContaining("tokenizer.model");
  }

  private static void copyTok512(Path target) throws IOException {
    try (InputStream in =
        TokenizersTest.class.getResourceAsStream(Llama2cTokenizer.STORIES260K_RESOURCE)) {
      Files.copy(in, target);
    }
  }
}
