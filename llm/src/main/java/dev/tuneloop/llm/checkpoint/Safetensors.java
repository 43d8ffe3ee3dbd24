package dev.tuneloop.llm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuneloop.llm.model.FloatTensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor
 * name to its dtype, shape and byte range (plus an optional {@code __metadata__} string map), then
 * the raw little-endian data. Reads F32, F16 and BF16 into float32 (BF16 widened here in Java);
 * writes any of the three.
 */
public final class Safetensors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METADATA = "__metadata__";
  private static final long MAX_HEADER = 100L << 20;

  /** Element types this module reads and writes. */
  public enum DType {
    F32(4),
    F16(2),
    BF16(2);

    final int bytes;

    DType(int bytes) {
      this.bytes = bytes;
    }
  }

  /** A whole file: tensors in header order and the string metadata. */
  public record Contents(Map<String, FloatTensor> tensors, Map<String, String> metadata) {}

  private Safetensors() {}

  public static Contents read(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < 8) {
        throw new CheckpointException(
            file, "truncated safetensors file: " + size + " bytes, no header length");
      }
      ByteBuffer lengthBytes =
          channel.map(FileChannel.MapMode.READ_ONLY, 0, 8).order(ByteOrder.LITTLE_ENDIAN);
      long headerLength = lengthBytes.getLong(0);
      if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
        throw new CheckpointException(
            file,
            "truncated or corrupt safetensors file: header length "
                + headerLength
                + " does not fit in "
                + size
                + " bytes");
      }
      byte[] headerBytes = new byte[(int) headerLength];
      channel.map(FileChannel.MapMode.READ_ONLY, 8, headerLength).get(headerBytes);
      JsonNode header = parseHeader(file, headerBytes);
      long dataStart = 8 + headerLength;
      Map<String, FloatTensor> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (entry.getKey().equals(METADATA)) {
          entry
              .getValue()
              .fields()
              .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        } else {
          tensors.put(
              entry.getKey(),
              tensor(file, entry.getKey(), entry.getValue(), channel, dataStart, size));
        }
      }
      return new Contents(tensors, metadata);
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read safetensors file: " + e.getMessage(), e);
    }
  }

  private static JsonNode parseHeader(Path file, byte[] bytes) {
    try {
      JsonNode header = JSON.readTree(bytes);
      if (header == null || !header.isObject()) {
        throw new CheckpointException(file, "corrupt safetensors header: not a JSON object");
      }
      return header;
    } catch (IOException e) {
      throw new CheckpointException(file, "corrupt safetensors header: " + e.getMessage(), e);
    }
  }

  /** One tensor, mapped on its own so that files (shards) beyond 2 GiB read fine. */
  private static FloatTensor tensor(
      Path file, String name, JsonNode info, FileChannel channel, long dataStart, long size)
      throws IOException {
    String dtypeName = info.path("dtype").asText();
    DType dtype;
    try {
      dtype = DType.valueOf(dtypeName);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(
          file, "tensor '" + name + "' has dtype '" + dtypeName + "'; supported: F32, F16, BF16");
    }
    List<Long> dims = new ArrayList<>();
    info.path("shape").forEach(d -> dims.add(d.asLong()));
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long count = dims.stream().reduce(1L, (a, b) -> a * b);
    long begin = info.path("data_offsets").path(0).asLong(-1);
    long end = info.path("data_offsets").path(1).asLong(-1);
    if (begin < 0 || end - begin != count * dtype.bytes) {
      throw new CheckpointException(
          file,
          "tensor '"
              + name
              + "' has data_offsets ["
              + begin
              + ", "
              + end
              + "] that do not hold shape "
              + dims
              + " of "
              + dtype);
    }
    if (dataStart + end > size) {
      throw new CheckpointException(
          file,
          "truncated safetensors file: tensor '"
              + name
              + "' ends at byte "
              + (dataStart + end)
              + " but the file has "
              + size);
    }
    ByteBuffer data =
        channel
            .map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin)
            .order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[Math.toIntExact(count)];
    switch (dtype) {
      case F32 -> data.asFloatBuffer().get(values);
      case F16 -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = Float.float16ToFloat(data.getShort(2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < values.length; i++) {
          values[i] = Float.intBitsToFloat((data.getShort(2 * i) & 0xffff) << 16);
        }
      }
    }
    return new FloatTensor(shape, values);
  }

  /**
   * Writes tensors in map order, converting to {@code dtype} (round-to-nearest-even for F16 and
   * BF16).
   */
  public static void write(
      Path file, Map<String, FloatTensor> tensors, Map<String, String> metadata, DType dtype)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject(METADATA);
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
      ObjectNode info = header.putObject(e.getKey());
      info.put("dtype", dtype.name());
      var shape = info.putArray("shape");
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      long length = (long) e.getValue().data().length * dtype.bytes;
      info.putArray("data_offsets").add(offset).add(offset + length);
      offset += length;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8; // the data starts 8-byte aligned
    byte[] headerBytes = new byte[padded];
    java.util.Arrays.fill(headerBytes, (byte) ' ');
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
      out.write(headerBytes);
      for (FloatTensor t : tensors.values()) {
        out.write(encode(t.data(), dtype));
      }
    }
  }

  private static byte[] encode(float[] values, DType dtype) {
    ByteBuffer buf =
        ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> buf.asFloatBuffer().put(values);
      case F16 -> {
        for (float v : values) {
          buf.putShort(Float.floatToFloat16(v));
        }
      }
      case BF16 -> {
        for (float v : values) {
          buf.putShort(toBf16(v));
        }
      }
    }
    return buf.array();
  }

  /** float32 to bfloat16 bits, rounding to nearest even; NaN stays NaN. */
  static short toBf16(float v) {
    int bits = Float.floatToRawIntBits(v);
    if (Float.isNaN(v)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
