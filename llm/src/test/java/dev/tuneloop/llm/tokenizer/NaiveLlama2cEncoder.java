package dev.tuneloop.llm.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A literal transcription of NOTICE.md's encoding (the O(n^2) loop of llama2.c's run.c), reading
 * tokenizer.bin on its own: the independent reference the fast encoder is checked against.
 */
final class NaiveLlama2cEncoder {

  private final List<String> pieces = new ArrayList<>(); // bytes as ISO-8859-1
  private final List<Float> scores = new ArrayList<>();
  private final Map<String, Integer> lookup = new HashMap<>();

  NaiveLlama2cEncoder(String resource) throws IOException {
    byte[] data;
    try (InputStream in = getClass().getResourceAsStream(resource)) {
      data = in.readAllBytes();
    }
    ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    buffer.getInt();
    while (buffer.hasRemaining()) {
      scores.add(buffer.getFloat());
      byte[] piece = new byte[buffer.getInt()];
      buffer.get(piece);
      String key = new String(piece, StandardCharsets.ISO_8859_1);
      lookup.putIfAbsent(key, pieces.size());
      pieces.add(key);
    }
  }

  List<Integer> encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    List<Integer> tokens = new ArrayList<>();
    if (bytes.length > 0) {
      tokens.add(lookup.get(" "));
    }
    for (int i = 0; i < bytes.length; ) {
      int j = i + 1;
      while (j < bytes.length && (bytes[j] & 0xC0) == 0x80 && j - i < 4) {
        j++;
      }
      Integer id = lookup.get(new String(bytes, i, j - i, StandardCharsets.ISO_8859_1));
      if (id != null) {
        tokens.add(id);
      } else {
        for (int k = i; k < j; k++) {
          tokens.add((bytes[k] & 0xFF) + 3);
        }
      }
      i = j;
    }
    while (true) {
      float bestScore = -1e10f;
      int bestId = -1;
      int bestIndex = -1;
      for (int i = 0; i + 1 < tokens.size(); i++) {
        Integer id = lookup.get(pieces.get(tokens.get(i)) + pieces.get(tokens.get(i + 1)));
        if (id != null && scores.get(id) > bestScore) {
          bestScore = scores.get(id);
          bestId = id;
          bestIndex = i;
        }
      }
      if (bestIndex < 0) {
        return tokens;
      }
      tokens.set(bestIndex, bestId);
      tokens.remove(bestIndex + 1);
    }
  }
}
