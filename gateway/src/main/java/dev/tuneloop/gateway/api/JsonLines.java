package dev.tuneloop.gateway.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into lines as the bytes arrive. It holds one read chunk and the current
 * line, and a line only up to {@code maxLineBytes}: the rest of a longer line is read past and
 * dropped, so memory stays bounded whatever the stream's length or its lines'. Lines end at {@code
 * \n} (a {@code \r} before it is dropped); the last line may lack one. Splitting bytes at {@code
 * \n} is safe for UTF-8, where that byte never occurs inside a multi-byte character.
 */
final class JsonLines {
  /** One line: its text, or, when it was over the limit, only its length ({@code text} null). */
  record Line(long number, String text, long bytes) {
    boolean tooLong() {
      return text == null;
    }
  }

  private static final int CHUNK_BYTES = 64 * 1024;

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] chunk = new byte[CHUNK_BYTES];
  private int chunkPos;
  private int chunkEnd;
  private byte[] line = new byte[8 * 1024]; // grows up to maxLineBytes, never past it
  private long lineNumber;

  JsonLines(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** The next line, or null at the end of the stream. */
  Line next() throws IOException {
    int length = 0; // bytes of this line held in `line`
    long total = 0; // bytes of this line seen, held or not
    boolean started = false;
    while (true) {
      if (chunkPos == chunkEnd) {
        int read = in.read(chunk);
        if (read < 0) {
          if (!started) {
            return null; // nothing after the last newline: no further line
          }
          break;
        }
        chunkPos = 0;
        chunkEnd = read;
        continue;
      }
      started = true;
      int newline = indexOf(chunk, (byte) '\n', chunkPos, chunkEnd);
      int end = newline < 0 ? chunkEnd : newline;
      int n = end - chunkPos;
      if (total + n <= maxLineBytes) {
        ensureCapacity(length + n);
        System.arraycopy(chunk, chunkPos, line, length, n);
        length += n;
      }
      total += n;
      chunkPos = newline < 0 ? chunkEnd : newline + 1;
      if (newline >= 0) {
        break;
      }
    }
    lineNumber++;
    if (total > maxLineBytes) {
      return new Line(lineNumber, null, total);
    }
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    return new Line(lineNumber, new String(line, 0, length, StandardCharsets.UTF_8), total);
  }

  /** The most bytes this reader has held for one line (its line buffer's size), for tests. */
  int largestLineBuffer() {
    return line.length;
  }

  private void ensureCapacity(int needed) {
    if (needed > line.length) {
      line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(needed, line.length * 2)));
    }
  }

  private static int indexOf(byte[] bytes, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
