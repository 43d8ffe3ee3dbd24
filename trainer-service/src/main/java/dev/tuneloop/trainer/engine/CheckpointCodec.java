package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Packs the loop's tensors into a {@link Checkpoint} and back. Tensor names say what each array is.
 */
public final class CheckpointCodec {

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private CheckpointCodec() {}

  static Checkpoint encode(
      TrainerState state, List<NDArray> params, AdamW optimizer, List<NDArray> best) {
    var tensors = new LinkedHashMap<String, float[]>();
    for (int i = 0; i < params.size(); i++) {
      tensors.put("param." + i, params.get(i).toFloatArray());
    }
    NDList moments = optimizer.state();
    tensors.put("adam.m", moments.get(0).toFloatArray());
    tensors.put("adam.v", moments.get(1).toFloatArray());
    for (int i = 0; i < best.size(); i++) {
      tensors.put("best." + i, best.get(i).toFloatArray());
    }
    return new Checkpoint(state, write(tensors));
  }

  /**
   * Restores parameters and moments in place and returns the best-eval copy (empty when there is
   * none yet).
   */
  static NDList decode(
      Checkpoint checkpoint, List<NDArray> params, AdamW optimizer, NDManager manager) {
    List<float[]> list = read(checkpoint.tensors());
    int expected = params.size() * (checkpoint.state().hasBest() ? 2 : 1) + 2;
    if (list.size() != expected) {
      throw new IllegalStateException(
          "checkpoint holds "
              + list.size()
              + " tensors, expected "
              + expected
              + " for "
              + params.size()
              + " parameters: it belongs to a different adapter layout");
    }
    for (int i = 0; i < params.size(); i++) {
      if (list.get(i).length != params.get(i).size()) {
        throw new IllegalStateException(
            "checkpoint parameter "
                + i
                + " has "
                + list.get(i).length
                + " values, the model's has shape "
                + params.get(i).getShape());
      }
      Tensors.copyInto(params.get(i), list.get(i));
    }
    // Skipped (non-finite) steps did not update the moments, so they do not count for bias
    // correction.
    optimizer.restore(
        list.get(params.size()),
        list.get(params.size() + 1),
        checkpoint.state().step() - checkpoint.state().skippedSteps());
    var best = new NDList();
    for (int i = params.size() + 2; i < list.size(); i++) {
      best.add(manager.create(list.get(i), params.get(i - params.size() - 2).getShape()));
    }
    return best;
  }

  /**
   * Tensors as float32 values copied to the Java heap (count, then per tensor its name, length and
   * values): exact, and independent of how the engine lays out or shares native memory.
   */
  private static byte[] write(Map<String, float[]> tensors) {
    try (var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes)) {
      out.writeInt(tensors.size());
      for (var entry : tensors.entrySet()) {
        out.writeUTF(entry.getKey());
        out.writeInt(entry.getValue().length);
        ByteBuffer buffer = ByteBuffer.allocate(entry.getValue().length * Float.BYTES);
        buffer.asFloatBuffer().put(entry.getValue());
        out.write(buffer.array());
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<float[]> read(byte[] data) {
    try (var in = new DataInputStream(new ByteArrayInputStream(data))) {
      int count = in.readInt();
      var out = new ArrayList<float[]>(count);
      for (int i = 0; i < count; i++) {
        in.readUTF();
        float[] values = new float[in.readInt()];
        byte[] raw = in.readNBytes(values.length * Float.BYTES);
        ByteBuffer.wrap(raw).asFloatBuffer().get(values);
        out.add(values);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("checkpoint tensors are truncated or corrupt", e);
    }
  }

  /** The state as JSON (the object store keeps it beside the tensors). */
  public static byte[] stateJson(TrainerState state) throws IOException {
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state);
  }

  public static TrainerState stateFromJson(byte[] json) throws IOException {
    return JSON.readValue(json, TrainerState.class);
  }
}
