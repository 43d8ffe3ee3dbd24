package dev.tuneloop.llm.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Collects bytes and releases text only up to the last complete UTF-8 character. */
final class Utf8Assembler {

  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  String append(byte[] bytes) {
    pending.writeBytes(bytes);
    byte[] all = pending.toByteArray();
    int complete = completePrefixLength(all);
    pending.reset();
    pending.write(all, complete, all.length - complete);
    return new String(all, 0, complete, StandardCharsets.UTF_8);
  }

  String finish() {
    String rest = pending.toString(StandardCharsets.UTF_8);
    pending.reset();
    return rest;
  }

  /**
   * Length of the prefix that ends before an incomplete (but so far valid) trailing UTF-8 sequence.
   */
  static int completePrefixLength(byte[] bytes) {
    int n = bytes.length;
    // A lead byte within the last 3 bytes may still be waiting for its continuation bytes.
    for (int back = 1; back <= Math.min(4, n); back++) {
      int b = bytes[n - back] & 0xFF;
      if ((b & 0xC0) == 0x80) {
        continue; // continuation byte: keep looking for its lead
      }
      return sequenceLength(b) > back ? n - back : n;
    }
    return n;
  }

  /**
   * How many bytes the UTF-8 sequence led by {@code lead} has; 1 for bytes that cannot lead one.
   */
  private static int sequenceLength(int lead) {
    if (lead >= 0xC2 && lead <= 0xDF) {
      return 2;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
      return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
      return 4;
    }
    return 1;
  }
}
