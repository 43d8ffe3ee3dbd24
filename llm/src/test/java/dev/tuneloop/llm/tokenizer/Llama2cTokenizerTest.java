package dev.tuneloop.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Llama2cTokenizerTest {

  private static Llama2cTokenizer tok;
  private static NaiveLlama2cEncoder reference;

  @BeforeAll
  static void load() throws IOException {
    tok = Llama2cTokenizer.stories260K();
    reference = new NaiveLlama2cEncoder(Llama2cTokenizer.STORIES260K_RESOURCE);
  }

  @Test
  void stories260KHas512PiecesWithControlAndByteTokensWhereTheNoticeSays() {
    assertThat(tok.vocabSize()).isEqualTo(512);
    assertThat(tok.maxTokenLength()).isEqualTo(7);
    assertThat(tok.piece(0)).isEqualTo("<unk>");
    assertThat(tok.piece(1)).isEqualTo("\n<s>\n");
    assertThat(tok.piece(2)).isEqualTo("\n</s>\n");
    assertThat(tok.piece(3)).isEqualTo("<0x00>");
    assertThat(tok.piece(258)).isEqualTo("<0xFF>");
    assertThat(tok.bosId()).isEqualTo(1);
    assertThat(tok.eosId()).isEqualTo(2);
  }

  // Hand-checked against tok512's pieces: 403 " Once", 407 " upon", 261 " a", 378 " time".
  @Test
  void encodesWordsIntoSpacePrefixedPieces() {
    assertThat(tok.encode("Once upon a time")).containsExactly(403, 407, 261, 378);
    assertThat(pieces(tok.encode("Once upon a time")))
        .containsExactly(" Once", " upon", " a", " time");
  }

  // 485 is the piece "é"; "日" and "本" are no pieces, so they fall back to their UTF-8 bytes (id =
  // byte + 3).
  @Test
  void encodesMissingCharactersAsTheirUtf8Bytes() {
    assertThat(pieces(tok.encode("héllo"))).containsExactly(" h", "é", "ll", "o");
    assertThat(tok.encode("日本"))
        .containsExactly(410, 0xE6 + 3, 0x97 + 3, 0xA5 + 3, 0xE6 + 3, 0x9C + 3, 0xAC + 3);
    assertThat(tok.encode("a\nb")).containsExactly(261, 0x0A + 3, 430);
  }

  @Test
  void emptyTextEncodesToNothing() {
    assertThat(tok.encode("")).isEmpty();
    assertThat(tok.decode(new int[0])).isEmpty();
  }

  @Test
  void encodingEqualsTheNaiveReferenceOnTheOracleText() throws IOException {
    String text = resourceText("/models/stories260K/expected-greedy-200.txt");
    assertThat(tok.encode(text)).containsExactly(ints(reference.encode(text)));
  }

  @Test
  void encodingEqualsTheNaiveReferenceOnRandomMixedText() {
    Random random = new Random(42);
    String alphabet = "abcdefghijklmnopqrstuvwxyz ABCLT.,!?'\"\n\t-é日本😀🦙\u0000\u0007\u00e9\u20ac";
    int[] codePoints = alphabet.codePoints().toArray();
    for (int sample = 0; sample < 300; sample++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(40);
      for (int i = 0; i < length; i++) {
        text.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
      }
      String s = text.toString();
      assertThat(tok.encode(s)).as("encode(%s)", s).containsExactly(ints(reference.encode(s)));
    }
  }

  @Test
  void encodingEqualsTheNaiveReferenceOnALongText() {
    Random random = new Random(7);
    String[] words = {
      "Once", " upon", " a", " time", ",", " Lily", " saw", " the", " big", " red", " ball", ".",
      "\n", " 日本", " 😀", " naïve", "  ", "\t", "!", " \"Hi\""
    };
    StringBuilder text = new StringBuilder();
    while (text.length() < 2000) {
      text.append(words[random.nextInt(words.length)]);
    }
    String s = text.toString();
    assertThat(tok.encode(s)).containsExactly(ints(reference.encode(s)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Once upon a time, there was a little girl named Lily.",
        "  leading spaces and trailing ones  ",
        "naïve café, Grüße, Ελληνικά, русский, 日本語",
        "emoji 😀🦙👩‍👩‍👧 and flags 🇫🇷",
        "control\u0000chars\u0001\t\r\n\u007f\u001b[0m",
        "<0x41> looks like a byte piece, <s> and </s> like control pieces",
        " ",
        "\n"
      })
  void decodeInvertsEncode(String text) {
    assertThat(tok.decode(tok.encode(text))).isEqualTo(text);
  }

  @Test
  void decodeDropsTheLeadingSpaceOfThePieceAfterBos() {
    assertThat(tok.decode(new int[] {1, 403, 407})).isEqualTo("Once upon");
    assertThat(tok.decode(new int[] {403, 407})).isEqualTo("Once upon");
    assertThat(tok.decode(new int[] {1, 403, 2, 1, 407})).isEqualTo("Onceupon");
  }

  @Test
  void decodeRebuildsMultiByteCharactersFromBytePieces() {
    int[] emojiBytes = {0xF0 + 3, 0x9F + 3, 0x98 + 3, 0x80 + 3}; // UTF-8 of U+1F600
    assertThat(tok.decode(emojiBytes)).isEqualTo("😀");
  }

  @Test
  void streamingDecoderReleasesACharacterOnlyWhenItsLastByteArrives() {
    StreamingDecoder decoder = tok.streamingDecoder();
    assertThat(decoder.push(1)).isEmpty();
    assertThat(decoder.push(403)).isEqualTo("Once");
    assertThat(decoder.push(0xF0 + 3)).isEmpty();
    assertThat(decoder.push(0x9F + 3)).isEmpty();
    assertThat(decoder.push(0x98 + 3)).isEmpty();
    assertThat(decoder.push(0x80 + 3)).isEqualTo("😀");
    assertThat(decoder.push(407)).isEqualTo(" upon");
    assertThat(decoder.finish()).isEmpty();
  }

  @Test
  void streamingDecoderEqualsWholeDecode() throws IOException {
    String text =
        resourceText("/models/stories260K/expected-greedy-200.txt") + " 日本 😀 naïve\u0000";
    int[] ids = IntStream.concat(IntStream.of(1), Arrays.stream(tok.encode(text))).toArray();
    StreamingDecoder decoder = tok.streamingDecoder();
    StringBuilder streamed = new StringBuilder();
    for (int id : ids) {
      streamed.append(decoder.push(id));
    }
    streamed.append(decoder.finish());
    assertThat(streamed.toString()).isEqualTo(tok.decode(ids)).isEqualTo(text);
  }

  @Test
  void streamingDecoderAfterAPromptReturnsOnlyTheNewText() {
    StreamingDecoder decoder = tok.streamingDecoder(new int[] {1, 403});
    assertThat(decoder.push(407)).isEqualTo(" upon");
  }

  @Test
  void finishReleasesAnIncompleteCharacterAsReplacement() {
    StreamingDecoder decoder = tok.streamingDecoder();
    assertThat(decoder.push(0xE6 + 3)).isEmpty();
    assertThat(decoder.finish()).isEqualTo("\uFFFD");
  }

  @Test
  void offsetsMapEachTokenToTheTextItCovers() {
    String text = "Once 日";
    EncodedText encoded = tok.encodeWithOffsets(text);
    assertThat(encoded.ids()).containsExactly(403, 410, 0xE6 + 3, 0x97 + 3, 0xA5 + 3);
    assertThat(encoded.starts()).containsExactly(0, 4, 5, 5, 5);
    assertThat(encoded.ends()).containsExactly(4, 5, 6, 6, 6);
  }

  @Test
  void decodeRejectsAnIdOutsideTheVocabulary() {
    assertThatThrownBy(() -> tok.decode(new int[] {512}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("512");
  }

  @Test
  void truncatedFileIsAnErrorNamingTheFile(@TempDir Path dir) throws IOException {
    byte[] full = resourceBytes(Llama2cTokenizer.STORIES260K_RESOURCE);
    Path cutInsideAPiece = dir.resolve("cut.bin");
    Files.write(cutInsideAPiece, Arrays.copyOf(full, full.length - 3));
    assertThatThrownBy(() -> Llama2cTokenizer.load(cutInsideAPiece))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(cutInsideAPiece.toString())
        .hasMessageContaining("truncated");

    Path header = dir.resolve("header.bin");
    Files.write(header, new byte[] {7, 0});
    assertThatThrownBy(() -> Llama2cTokenizer.load(header))
        .hasMessageContaining(header.toString())
        .hasMessageContaining("truncated");
  }

  @Test
  void fileEndingAtATokenBoundaryIsTruncatedForTheModelsVocabulary(@TempDir Path dir)
      throws IOException {
    byte[] full = resourceBytes(Llama2cTokenizer.STORIES260K_RESOURCE);
    int lastPiece = 3; // token 511 is U+200A, 3 bytes of UTF-8, after its 8-byte score and length
    Path file = dir.resolve("tok.bin");
    Files.write(file, Arrays.copyOf(full, full.length - 8 - lastPiece));
    assertThat(Llama2cTokenizer.load(file).vocabSize()).isEqualTo(511);
    assertThatThrownBy(() -> Llama2cTokenizer.load(file, 512))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("511")
        .hasMessageContaining("512");
  }

  @Test
  void missingFileIsAnErrorNamingTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("tokenizer.bin");
    assertThatThrownBy(() -> Llama2cTokenizer.load(missing))
        .hasMessageContaining(missing.toString());
  }

  private static List<String> pieces(int[] ids) {
    return Arrays.stream(ids).mapToObj(tok::piece).toList();
  }

  private static int[] ints(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }

  private static byte[] resourceBytes(String resource) throws IOException {
    try (InputStream in = Llama2cTokenizerTest.class.getResourceAsStream(resource)) {
      return in.readAllBytes();
    }
  }

  private static String resourceText(String resource) throws IOException {
    return new String(resourceBytes(resource), StandardCharsets.UTF_8);
  }
}
