package dev.tuneloop.llm.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * llama2.c's {@code tokenizer.bin}: a scored BPE with byte fallback (format and algorithm in the
 * stories260K NOTICE.md). Ids 0, 1, 2 are {@code <unk>}, BOS and EOS; byte pieces are {@code
 * <0x00>}..{@code <0xFF>}.
 */
public final class Llama2cTokenizer implements Tokenizer {

  /** The tokenizer of the vendored stories260K model, on the classpath. */
  public static final String STORIES260K_RESOURCE = "/models/stories260K/tok512.bin";

  private static final int UNK = 0;
  private static final int BOS = 1;
  private static final int EOS = 2;

  private final byte[][] pieces;
  private final float[] scores;
  private final int maxTokenLength;
  private final int[] byteValues; // id -> byte value of its <0xNN> piece, or -1
  private final ScoredBpe bpe;

  private Llama2cTokenizer(byte[][] pieces, float[] scores, int maxTokenLength) {
    this.pieces = pieces;
    this.scores = scores;
    this.maxTokenLength = maxTokenLength;
    this.byteValues = new int[pieces.length];
    int[] byteIds = new int[256];
    Arrays.fill(byteIds, -1);
    Map<String, Integer> textPieces = new HashMap<>();
    for (int id = 0; id < pieces.length; id++) {
      byteValues[id] = id > EOS ? parseBytePiece(pieces[id]) : -1;
      if (byteValues[id] >= 0 && byteIds[byteValues[id]] < 0) {
        byteIds[byteValues[id]] = id;
      } else if (id > EOS && byteValues[id] < 0) {
        textPieces.putIfAbsent(new String(pieces[id], StandardCharsets.ISO_8859_1), id);
      }
    }
    this.bpe = new ScoredBpe(textPieces, scores, byteIds, UNK);
  }

  /** Reads a {@code tokenizer.bin}, taking every token up to the end of the file. */
  public static Llama2cTokenizer load(Path file) throws IOException {
    return load(file, -1);
  }

  /**
   * Reads a {@code tokenizer.bin} and checks that it holds exactly {@code expectedVocabSize}
   * tokens.
   */
  public static Llama2cTokenizer load(Path file, int expectedVocabSize) throws IOException {
    byte[] data;
    try {
      data = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "llama2.c tokenizer file not found");
    }
    return parse(data, file.toString(), expectedVocabSize);
  }

  /** Reads a {@code tokenizer.bin} from the classpath, e.g. {@link #STORIES260K_RESOURCE}. */
  public static Llama2cTokenizer fromResource(String resource) throws IOException {
    try (InputStream in = Llama2cTokenizer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new NoSuchFileException(resource, null, "llama2.c tokenizer not on the classpath");
      }
      return parse(in.readAllBytes(), "classpath:" + resource, -1);
    }
  }

  /** The vendored stories260K tokenizer (tok512). */
  public static Llama2cTokenizer stories260K() {
    try {
      return fromResource(STORIES260K_RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Llama2cTokenizer parse(byte[] data, String source, int expectedVocabSize)
      throws IOException {
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    if (in.remaining() < Integer.BYTES) {
      throw new IOException(
          source
              + ": truncated llama2.c tokenizer: "
              + data.length
              + " bytes, too short for the int32 max_token_length header");
    }
    int maxTokenLength = in.getInt();
    if (maxTokenLength <= 0 || maxTokenLength > 1 << 16) {
      throw new IOException(
          source + ": not a llama2.c tokenizer: max_token_length is " + maxTokenLength);
    }
    List<byte[]> pieceList = new ArrayList<>();
    List<Float> scoreList = new ArrayList<>();
    while (in.hasRemaining() && (expectedVocabSize < 0 || pieceList.size() < expectedVocabSize)) {
      int token = pieceList.size();
      if (in.remaining() < 8) {
        throw truncated(source, token, in.position(), data.length, "its score and length");
      }
      float score = in.getFloat();
      int length = in.getInt();
      if (length < 0 || length > maxTokenLength) {
        throw new IOException(
            source
                + ": token "
                + token
                + " at byte "
                + (in.position() - 4)
                + " has length "
                + length
                + ", outside 0.."
                + maxTokenLength
                + " (max_token_length)");
      }
      if (in.remaining() < length) {
        throw truncated(source, token, in.position(), data.length, length + " bytes of text");
      }
      byte[] piece = new byte[length];
      in.get(piece);
      pieceList.add(piece);
      scoreList.add(score);
    }
    if (expectedVocabSize >= 0 && pieceList.size() != expectedVocabSize) {
      throw new IOException(
          source
              + ": truncated llama2.c tokenizer: it holds "
              + pieceList.size()
              + " tokens but the model's vocabulary has "
              + expectedVocabSize);
    }
    if (expectedVocabSize >= 0 && in.hasRemaining()) {
      throw new IOException(
          source
              + ": "
              + in.remaining()
              + " unexpected bytes after token "
              + (expectedVocabSize - 1)
              + " (the model's vocabulary has "
              + expectedVocabSize
              + ")");
    }
    if (pieceList.size() <= EOS) {
      throw new IOException(
          source
              + ": llama2.c tokenizer holds "
              + pieceList.size()
              + " tokens; it needs at least <unk>, BOS and EOS");
    }
    float[] scores = new float[scoreList.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = scoreList.get(i);
    }
    return new Llama2cTokenizer(pieceList.toArray(byte[][]::new), scores, maxTokenLength);
  }

  private static IOException truncated(
      String source, int token, int offset, int size, String what) {
    return new IOException(
        source
            + ": truncated llama2.c tokenizer: token "
            + token
            + " needs "
            + what
            + " at byte "
            + offset
            + " but the file ends at byte "
            + size);
  }

  /** The byte value of a {@code <0xNN>} piece, or -1. */
  private static int parseBytePiece(byte[] piece) {
    String s = new String(piece, StandardCharsets.ISO_8859_1);
    if (s.length() != 6 || !s.startsWith("<0x") || s.charAt(5) != '>') {
      return -1;
    }
    try {
      return Integer.parseInt(s.substring(3, 5), 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public EncodedText encodeWithOffsets(String text) {
    return bpe.encode(text);
  }

  @Override
  public String decode(int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean atStart = true;
    for (int id : ids) {
      out.writeBytes(bytesOf(id, atStart));
      atStart = id == BOS;
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * The bytes a token adds. At the start of a sequence or after BOS, a text piece's leading space
   * (the word boundary that encoding's dummy prefix created) is dropped; BOS and EOS add nothing.
   */
  private byte[] bytesOf(int id, boolean atStart) {
    checkId(id);
    if (id == BOS || id == EOS) {
      return new byte[0];
    }
    if (byteValues[id] >= 0) {
      return new byte[] {(byte) byteValues[id]};
    }
    byte[] piece = pieces[id];
    if (atStart && piece.length > 0 && piece[0] == ' ') {
      return Arrays.copyOfRange(piece, 1, piece.length);
    }
    return piece;
  }

  private void checkId(int id) {
    if (id < 0 || id >= pieces.length) {
      throw new IllegalArgumentException(
          "token id " + id + " is outside the vocabulary 0.." + (pieces.length - 1));
    }
  }

  @Override
  public StreamingDecoder streamingDecoder() {
    return new StreamingDecoder() {
      private final Utf8Assembler text = new Utf8Assembler();
      private boolean atStart = true;

      @Override
      public String push(int id) {
        byte[] bytes = bytesOf(id, atStart);
        atStart = id == BOS;
        return text.append(bytes);
      }

      @Override
      public String finish() {
        return text.finish();
      }
    };
  }

  /**
   * The raw text of a piece as stored (byte pieces as {@code <0xNN>}); invalid UTF-8 shows as
   * U+FFFD.
   */
  public String piece(int id) {
    checkId(id);
    return new String(pieces[id], StandardCharsets.UTF_8);
  }

  public float score(int id) {
    checkId(id);
    return scores[id];
  }

  public int maxTokenLength() {
    return maxTokenLength;
  }

  @Override
  public int bosId() {
    return BOS;
  }

  @Override
  public int eosId() {
    return EOS;
  }

  public int unkId() {
    return UNK;
  }

  @Override
  public int vocabSize() {
    return pieces.length;
  }

  /** SentencePiece's name for BOS; llama2.c stores it as the piece {@code "\n<s>\n"}. */
  @Override
  public String bosToken() {
    return "<s>";
  }

  @Override
  public String eosToken() {
    return "</s>";
  }

  @Override
  public boolean addsBos() {
    return true;
  }
}
