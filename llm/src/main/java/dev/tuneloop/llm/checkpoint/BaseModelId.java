package dev.tuneloop.llm.checkpoint;

import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.StateDict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which base model an adapter belongs to. The sha256 is over the weights' content (names in sorted
 * order, shapes, float32 values), not over a file, so the same model read from llama2.c {@code
 * .bin} or from its exported Hugging Face directory has the same identity, and F16/BF16 files hash
 * as the floats they hold.
 *
 * @param name a human name, e.g. {@code stories260K} or a directory name
 * @param sha256 lowercase hex digest of the weights
 */
public record BaseModelId(String name, String sha256) {

  public static BaseModelId of(String name, StateDict weights) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (Map.Entry<String, FloatTensor> e : new TreeMap<>(weights.tensors()).entrySet()) {
        digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        for (long d : e.getValue().shape()) {
          digest.update(Long.toString(d).getBytes(StandardCharsets.UTF_8));
          digest.update((byte) ',');
        }
        float[] data = e.getValue().data();
        for (int i = 0; i < data.length; ) {
          buffer.clear();
          while (buffer.remaining() >= Float.BYTES && i < data.length) {
            buffer.putFloat(data[i++]);
          }
          buffer.flip();
          digest.update(buffer);
        }
      }
      return new BaseModelId(name, HexFormat.of().formatHex(digest.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
