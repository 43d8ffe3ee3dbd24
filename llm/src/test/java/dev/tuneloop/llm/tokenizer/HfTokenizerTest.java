package dev.tuneloop.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HfTokenizerTest {

  // Ids in the byte-level fixture: bytes 0..255, 9 merges (256..264), then the three special
  // tokens.
  private static final int ENDOFTEXT = 265;
  private static final int IM_START = 266;
  private static final int IM_END = 267;

  @TempDir static Path dirs;
  private static HfTokenizer qwen;
  private static HfTokenizer llama;

  @BeforeAll
  static void load() throws IOException {
    qwen =
        HfTokenizer.load(
            TinyHfCheckpoints.writeQwenStyle(Files.createDirectory(dirs.resolve("qwen"))));
    llama =
        HfTokenizer.load(
            TinyHfCheckpoints.writeLlamaStyle(Files.createDirectory(dirs.resolve("llama"))));
  }

  @AfterAll
  static void close() {
    qwen.close();
    llama.close();
  }

  @Test
  void specialTokensComeFromTheCheckpointFiles() {
    assertThat(qwen.vocabSize()).isEqualTo(268);
    assertThat(qwen.eosToken()).isEqualTo("<|im_end|>");
    assertThat(qwen.eosId()).isEqualTo(IM_END);
    assertThat(qwen.bosId()).as("bos_token_id from config.json").isEqualTo(ENDOFTEXT);
    assertThat(qwen.bosToken()).isEqualTo("<|endoftext|>");
    assertThat(qwen.addsBos()).isFalse();

    assertThat(llama.bosId()).isEqualTo(1);
    assertThat(llama.bosToken()).isEqualTo("<s>");
    assertThat(llama.eosId()).isEqualTo(2);
    assertThat(llama.addsBos()).isTrue();
  }

  @Test
  void encodeAddsNoBosAndKeepsSpecialTokensWhole() {
    // Merges apply by rank: "hello" -> he, ll, hell, hello (261); " hi" -> Ġh, Ġhi (257).
    assertThat(qwen.encode("<|im_start|>hello hi<|im_end|>"))
        .containsExactly(IM_START, 261, 257, IM_END);
    assertThat(llama.encode("the")).doesNotContain(1).hasSize(1);
    assertThat(llama.encode("</s>")).containsExactly(2);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hi hello there",
        "naïve café, Grüße, 日本語",
        "emoji 😀🦙👩‍👩‍👧",
        "control\u0000chars\u0001\t\r\n\u007f",
        "  spaces  "
      })
  void decodeInvertsEncode(String text) {
    assertThat(qwen.decode(qwen.encode(text))).isEqualTo(text);
    String llamaText =
        text.stripLeading(); // SentencePiece's decoder strips the one leading space it added
    assertThat(llama.decode(llama.encode(llamaText))).isEqualTo(llamaText);
  }

  @Test
  void longTextIsNeverTruncated() {
    String text = "hello there ".repeat(400); // far beyond DJL's default model_max_length of 512
    assertThat(qwen.encode(text).length).isGreaterThan(512);
    assertThat(qwen.decode(qwen.encode(text))).isEqualTo(text);
  }

  @Test
  void decodeLeavesOutSpecialTokens() {
    assertThat(qwen.decode(qwen.encode("<|im_start|>hi<|im_end|>"))).isEqualTo("hi");
    assertThat(llama.decode(new int[] {1, llama.encode("the")[0], 2})).isEqualTo("the");
  }

  @Test
  void offsetsAreUtf16IndicesIntoTheText() {
    String text = "😀é<|im_end|>";
    EncodedText encoded = qwen.encodeWithOffsets(text);
    assertThat(encoded.ids()[encoded.size() - 1]).isEqualTo(IM_END);
    assertThat(encoded.starts()[encoded.size() - 1]).isEqualTo(3);
    assertThat(encoded.ends()[encoded.size() - 1]).isEqualTo(text.length());
    assertThat(text.substring(encoded.starts()[0], encoded.ends()[0])).isEqualTo("😀");
  }

  @Test
  void streamingDecoderHoldsAnEmojiUntilItsLastByte() {
    int[] ids = qwen.encode("😀");
    assertThat(ids).hasSize(4);
    StreamingDecoder decoder = qwen.streamingDecoder();
    assertThat(decoder.push(ids[0])).isEmpty();
    assertThat(decoder.push(ids[1])).isEmpty();
    assertThat(decoder.push(ids[2])).isEmpty();
    assertThat(decoder.push(ids[3])).isEqualTo("😀");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hi hello there 😀 日本 naïve\n\tend", "the is a [INST] 🦙 x"})
  void streamingDecoderEqualsWholeDecode(String text) {
    for (HfTokenizer tok : new HfTokenizer[] {qwen, llama}) {
      int[] ids = tok.encode(text);
      StreamingDecoder decoder = tok.streamingDecoder();
      StringBuilder streamed = new StringBuilder();
      for (int id : ids) {
        streamed.append(decoder.push(id));
      }
      streamed.append(decoder.finish());
      assertThat(streamed.toString()).isEqualTo(tok.decode(ids));
    }
  }

  @Test
  void streamingAfterAPromptReturnsOnlyTheContinuation() {
    int[] prompt = llama.encode("the is");
    int[] continuation = llama.encode("the is a");
    StreamingDecoder decoder = llama.streamingDecoder(prompt);
    StringBuilder added = new StringBuilder();
    for (int i = prompt.length; i < continuation.length; i++) {
      added.append(decoder.push(continuation[i]));
    }
    assertThat(added.toString()).isEqualTo(" a");
  }

  @Test
  void specialTokensMapIsUsedWhenTokenizerConfigNamesNone(@TempDir Path dir) throws IOException {
    TinyHfCheckpoints.writeQwenStyle(dir);
    Files.delete(dir.resolve("tokenizer_config.json"));
    Files.delete(dir.resolve("config.json"));
    new ObjectMapper()
        .writeValue(
            dir.resolve("special_tokens_map.json").toFile(),
            Map.of("eos_token", Map.of("content", "<|endoftext|>")));
    try (HfTokenizer tok = HfTokenizer.load(dir)) {
      assertThat(tok.eosId()).isEqualTo(ENDOFTEXT);
      assertThat(tok.bosId()).isEqualTo(-1);
      assertThat(tok.addsBos()).isFalse();
    }
  }

  @Test
  void aSpecialTokenThatIsNotOneTokenIsAnError(@TempDir Path dir) throws IOException {
    TinyHfCheckpoints.writeQwenStyle(dir);
    new ObjectMapper()
        .writeValue(dir.resolve("tokenizer_config.json").toFile(), Map.of("eos_token", "<eos>"));
    assertThatThrownBy(() -> HfTokenizer.load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("eos_token")
        .hasMessageContaining("<eos>");
  }

  @Test
  void anInvalidTokenizerJsonIsAnErrorNamingTheFile(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": 7}}");
    assertThatThrownBy(() -> HfTokenizer.load(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.resolve("tokenizer.json").toString());
  }
}
