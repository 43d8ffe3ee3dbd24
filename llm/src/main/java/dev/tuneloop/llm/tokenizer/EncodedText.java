package dev.tuneloop.llm.tokenizer;

/**
 * Token ids with the part of the source text each one covers: token {@code i} covers the UTF-16
 * indices {@code [starts[i], ends[i])}. A token that covers no text (a dummy prefix space) has
 * {@code starts[i] == ends[i]}.
 */
public record EncodedText(int[] ids, int[] starts, int[] ends) {

  public EncodedText {
    if (ids.length != starts.length || ids.length != ends.length) {
      throw new IllegalArgumentException(
          "ids, starts and ends differ in length: "
              + ids.length
              + ", "
              + starts.length
              + ", "
              + ends.length);
    }
  }

  public int size() {
    return ids.length;
  }
}
