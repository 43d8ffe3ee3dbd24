package dev.tuneloop.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLinesTest {

  /** Hands out one byte per read, so every line crosses chunk boundaries. */
  private static InputStream trickle(String text) {
    ByteArrayInputStream all = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    return new InputStream() {
      @Override
      public int read() {
        return all.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return all.read(b, off, Math.min(len, 1));
      }
    };
  }

  private static List<String> read(InputStream in, int maxLineBytes) throws IOException {
    JsonLines lines = new JsonLines(in, maxLineBytes);
    List<String> out = new ArrayList<>();
    for (JsonLines.Line line = lines.next(); line != null; line = lines.next()) {
      out.add(line.number() + ":" + (line.tooLong() ? "too long " + line.bytes() : line.text()));
    }
    return out;
  }

  @Test
  void splitsOnNewlinesDropsCarriageReturnsAndKeepsBlankAndUnterminatedLines() throws Exception {
    String text = "{\"a\": 1}\r\n\nü€\n{\"b\": 2}";

    assertThat(read(trickle(text), 100))
        .containsExactly("1:{\"a\": 1}", "2:", "3:ü€", "4:{\"b\": 2}");
    assertThat(read(trickle("x\n"), 100)).containsExactly("1:x"); // no line after the last \n
    assertThat(read(trickle(""), 100)).isEmpty();
  }

  @Test
  void aLineOverTheLimitIsReportedByLengthAndTheNextLineIsIntact() throws Exception {
    String text = "short\n" + "y".repeat(50) + "\nafter\n";

    assertThat(read(trickle(text), 20)).containsExactly("1:short", "2:too long 50", "3:after");
  }

  @Test
  void theLineBufferDoesNotGrowWithTheStream() throws Exception {
    // 64 MB of 1 KB lines and one 3 MB line: the buffer holds one line, capped at the limit.
    long lines = 64 * 1024;
    InputStream generated =
        new InputStream() {
          private long served;
          private final byte[] line = ("{\"p\": \"" + "x".repeat(1014) + "\"}\n").getBytes();

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (served == lines * line.length) {
              return -1;
            }
            int n = (int) Math.min(len, lines * line.length - served);
            for (int i = 0; i < n; i++) {
              b[off + i] = line[(int) ((served + i) % line.length)];
            }
            served += n;
            return n;
          }
        };
    JsonLines reader =
        new JsonLines(
            new java.io.SequenceInputStream(
                generated, new ByteArrayInputStream(("z".repeat(3_000_000) + "\n").getBytes())),
            1024 * 1024);
    long count = 0;
    JsonLines.Line last = null;
    for (JsonLines.Line line = reader.next(); line != null; line = reader.next()) {
      count++;
      last = line;
      if (count == lines) {
        assertThat(reader.largestLineBuffer()).isEqualTo(8 * 1024);
      }
    }

    assertThat(count).isEqualTo(lines + 1);
    assertThat(last.tooLong()).isTrue();
    assertThat(last.bytes()).isEqualTo(3_000_000);
    assertThat(reader.largestLineBuffer()).isLessThanOrEqualTo(1024 * 1024);
  }

  @Test
  void ingestsStreamPositionsMapToLinesPastTheLinesKeptBack() {
    List<Long> keptBack = List.of(0L, 3L, 4L); // lines 1, 4 and 5 were not sent

    assertThat(JsonLinesUpload.lineIndex(0, keptBack)).isEqualTo(1); // sent first: line 2
    assertThat(JsonLinesUpload.lineIndex(1, keptBack)).isEqualTo(2);
    assertThat(JsonLinesUpload.lineIndex(2, keptBack)).isEqualTo(5); // past lines 4 and 5
    assertThat(JsonLinesUpload.lineIndex(7, List.of())).isEqualTo(7);
  }
}
