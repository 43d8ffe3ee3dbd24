package dev.tuneloop.llm.tokenizer;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Streams text out of a whole-sequence decoder. It decodes a short window that starts a few tokens
 * back, so that decoders which treat a sequence's first token specially (stripping a word-boundary
 * space) see the same first token in both decodes, and the text the new ids add is the difference.
 * Text ending in U+FFFD is a character whose bytes have not all arrived yet, and is held back.
 */
final class IncrementalDecoder implements StreamingDecoder {

  private final Function<int[], String> decode;
  private int[] ids = new int[16];
  private int size;
  private int prefixOffset; // first id of the window
  private int readOffset; // ids before this have been emitted

  IncrementalDecoder(Function<int[], String> decode) {
    this.decode = decode;
  }

  @Override
  public String push(int id) {
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
    }
    ids[size++] = id;
    String added = newText();
    if (added.isEmpty() || added.endsWith("\uFFFD")) {
      return "";
    }
    prefixOffset = readOffset;
    readOffset = size;
    return added;
  }

  @Override
  public String finish() {
    String added = newText();
    prefixOffset = readOffset = size;
    return added;
  }

  private String newText() {
    String before = decode.apply(Arrays.copyOfRange(ids, prefixOffset, readOffset));
    String after = decode.apply(Arrays.copyOfRange(ids, prefixOffset, size));
    return after.length() > before.length() ? after.substring(before.length()) : "";
  }
}
