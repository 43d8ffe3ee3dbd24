package dev.tuneloop.llm.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's bindings to the Rust tokenizers library
 * (bundled native, works offline). BOS and EOS come from the checkpoint's own files (see {@link
 * CheckpointTokenFiles}).
 */
public final class HfTokenizer implements Tokenizer {

  public static final String TOKENIZER_JSON = "tokenizer.json";

  private final HuggingFaceTokenizer hf;
  private final Path source;
  private final int vocabSize;
  private final Special bos;
  private final Special eos;
  private final boolean addsBos;

  /** A special token's text and id; id -1 when the checkpoint defines none. */
  private record Special(String text, int id) {
    static final Special NONE = new Special("", -1);
  }

  private HfTokenizer(
      HuggingFaceTokenizer hf, Path source, int vocabSize, CheckpointTokenFiles files)
      throws IOException {
    this.hf = hf;
    this.source = source;
    this.vocabSize = vocabSize;
    this.bos = special(files, "bos_token", "bos_token_id");
    this.eos = special(files, "eos_token", "eos_token_id");
    this.addsBos = bos.id >= 0 && (postProcessorAddsBos() || files.addBosToken().orElse(false));
  }

  /**
   * Loads {@code dir/tokenizer.json} with BOS/EOS from {@code dir}'s tokenizer_config.json,
   * special_tokens_map.json and config.json.
   */
  public static HfTokenizer load(Path dir) throws IOException {
    Path json = dir.resolve(TOKENIZER_JSON);
    if (!Files.isRegularFile(json)) {
      throw new NoSuchFileException(json.toString(), null, "Hugging Face tokenizer file not found");
    }
    System.setProperty("ai.djl.offline", "true");
    HuggingFaceTokenizer hf;
    try {
      hf =
          HuggingFaceTokenizer.newInstance(
              json, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
    } catch (RuntimeException e) {
      throw new IOException(json + ": not a valid Hugging Face tokenizer: " + e.getMessage(), e);
    }
    try {
      return new HfTokenizer(hf, json, countVocabulary(json), CheckpointTokenFiles.read(dir));
    } catch (IOException | RuntimeException e) {
      hf.close();
      throw e;
    }
  }

  private Special special(CheckpointTokenFiles files, String textKey, String idKey)
      throws IOException {
    Optional<String> text = files.tokenText(textKey);
    if (text.isPresent()) {
      long[] ids = hf.encode(text.get(), false, false).getIds();
      if (ids.length != 1) {
        throw new IOException(
            source.getParent()
                + ": "
                + textKey
                + " '"
                + text.get()
                + "' is not a single token of "
                + TOKENIZER_JSON
                + " (it encodes to "
                + ids.length
                + " ids)");
      }
      return new Special(text.get(), (int) ids[0]);
    }
    OptionalInt id = files.tokenId(idKey);
    if (id.isPresent()) {
      if (id.getAsInt() < 0 || id.getAsInt() >= vocabSize) {
        throw new IOException(
            source.getParent()
                + ": config.json's "
                + idKey
                + " "
                + id.getAsInt()
                + " is outside the tokenizer's vocabulary 0.."
                + (vocabSize - 1));
      }
      return new Special(hf.decode(new long[] {id.getAsInt()}, false), id.getAsInt());
    }
    return Special.NONE;
  }

  /** Whether tokenizer.json's post-processor puts BOS in front of a sequence. */
  private boolean postProcessorAddsBos() {
    long[] ids = hf.encode("a", true, false).getIds();
    return ids.length > 0 && ids[0] == bos.id;
  }

  /** One more than the largest id in the model's vocabulary and the added tokens. */
  private static int countVocabulary(Path json) throws IOException {
    int maxId = -1;
    try (JsonParser parser = new JsonFactory().createParser(json.toFile())) {
      String section = null;
      int depth = 0;
      for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          depth++;
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        } else if (t == JsonToken.FIELD_NAME && depth == 1) {
          section = parser.currentName();
        } else if (t == JsonToken.FIELD_NAME
            && depth == 2
            && "model".equals(section)
            && "vocab".equals(parser.currentName())) {
          maxId = Math.max(maxId, vocabMaxId(parser));
        } else if (t == JsonToken.FIELD_NAME
            && depth == 3
            && "added_tokens".equals(section)
            && "id".equals(parser.currentName())) {
          parser.nextToken();
          maxId = Math.max(maxId, parser.getIntValue());
        }
      }
    }
    if (maxId < 0) {
      throw new IOException(json + ": no vocabulary found (model.vocab is missing or empty)");
    }
    return maxId + 1;
  }

  /**
   * model.vocab is {token: id} (BPE, WordPiece, WordLevel) or [[piece, score], ...] (Unigram, id =
   * index).
   */
  private static int vocabMaxId(JsonParser parser) throws IOException {
    JsonToken start = parser.nextToken();
    int maxId = -1;
    if (start == JsonToken.START_OBJECT) {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        parser.nextToken();
        maxId = Math.max(maxId, parser.getIntValue());
      }
    } else if (start == JsonToken.START_ARRAY) {
      while (parser.nextToken() == JsonToken.START_ARRAY) {
        parser.skipChildren();
        maxId++;
      }
    }
    return maxId;
  }

  @Override
  public EncodedText encodeWithOffsets(String text) {
    Encoding encoding = hf.encode(text, false, false);
    int[] ids = Arrays.stream(encoding.getIds()).mapToInt(Math::toIntExact).toArray();
    // The Rust library counts offsets in Unicode code points; Java strings index UTF-16 units.
    int[] utf16Index = text.codePoints().map(Character::charCount).toArray();
    int[] prefix = new int[utf16Index.length + 1];
    for (int i = 0; i < utf16Index.length; i++) {
      prefix[i + 1] = prefix[i] + utf16Index[i];
    }
    CharSpan[] spans = encoding.getCharTokenSpans();
    int[] starts = new int[ids.length];
    int[] ends = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      CharSpan span = spans[i];
      starts[i] = span == null ? 0 : prefix[Math.min(span.getStart(), utf16Index.length)];
      ends[i] = span == null ? 0 : prefix[Math.min(span.getEnd(), utf16Index.length)];
    }
    return new EncodedText(ids, starts, ends);
  }

  /** Decodes without special tokens (BOS, EOS, chat markers), as generated text is shown. */
  @Override
  public String decode(int[] ids) {
    for (int id : ids) {
      if (id < 0 || id >= vocabSize) {
        throw new IllegalArgumentException(
            "token id " + id + " is outside the vocabulary 0.." + (vocabSize - 1));
      }
    }
    return hf.decode(Arrays.stream(ids).asLongStream().toArray(), true);
  }

  @Override
  public StreamingDecoder streamingDecoder() {
    return new IncrementalDecoder(this::decode);
  }

  @Override
  public int bosId() {
    return bos.id;
  }

  @Override
  public int eosId() {
    return eos.id;
  }

  @Override
  public String bosToken() {
    return bos.text;
  }

  @Override
  public String eosToken() {
    return eos.text;
  }

  @Override
  public boolean addsBos() {
    return addsBos;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  /** The tokenizer.json this was loaded from. */
  public Path source() {
    return source;
  }

  @Override
  public void close() {
    hf.close();
  }
}
