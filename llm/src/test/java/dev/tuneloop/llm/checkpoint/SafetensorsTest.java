package dev.tuneloop.llm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.llm.model.FloatTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

  @TempDir Path dir;

  @Test
  void everyDtypeRoundTripsValuesItCanRepresentExactly() throws Exception {
    float[] values = {0f, -1f, 0.5f, 3.25f, -1024f, 0.15625f}; // exact in F16 and BF16 alike
    for (Safetensors.DType dtype : Safetensors.DType.values()) {
      Path file = dir.resolve(dtype + ".safetensors");
      Safetensors.write(file, Map.of("w", FloatTensor.of(values, 2, 3)), Map.of("k", "v"), dtype);

      Safetensors.Contents read = Safetensors.read(file);
      assertThat(read.tensors().get("w").data()).as(dtype.name()).containsExactly(values);
      assertThat(read.tensors().get("w").shape()).containsExactly(2, 3);
      assertThat(read.metadata()).containsEntry("k", "v");
      assertThat(Files.size(file) - 8 - headerLength(file)).isEqualTo(6L * dtype.bytes);
    }
  }

  @Test
  void bfloat16RoundsToNearestEvenAndWidensByShifting() {
    assertThat(Safetensors.toBf16(1.00390625f))
        .isEqualTo((short) 0x3f80); // halfway: ties to even (down)
    assertThat(Safetensors.toBf16(1.01171875f))
        .isEqualTo((short) 0x3f82); // halfway: ties to even (up)
    assertThat(Safetensors.toBf16(Float.NaN) & 0x7fc0).isEqualTo(0x7fc0);
    assertThat(Float.intBitsToFloat((Safetensors.toBf16(-2.5f) & 0xffff) << 16)).isEqualTo(-2.5f);
  }

  @Test
  void tensorsKeepTheirOrderAndTheDataIsEightByteAligned() throws Exception {
    Map<String, FloatTensor> tensors = new LinkedHashMap<>();
    tensors.put("b", FloatTensor.of(new float[] {1f}, 1));
    tensors.put("a", FloatTensor.of(new float[] {2f, 3f}, 2));
    Path file = dir.resolve("x.safetensors");
    Safetensors.write(file, tensors, Map.of(), Safetensors.DType.F32);

    assertThat(Safetensors.read(file).tensors().keySet()).containsExactly("b", "a");
    assertThat(headerLength(file) % 8).isZero();
  }

  private static long headerLength(Path file) throws Exception {
    byte[] head = new byte[8];
    try (var in = Files.newInputStream(file)) {
      assertThat(in.read(head)).isEqualTo(8);
    }
    return ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }
}
