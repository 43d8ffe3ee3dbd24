package dev.tuneloop.llm.checkpoint;

import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.StateDict;
import dev.tuneloop.llm.model.StateDict.Names;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * llama2.c's {@code .bin} checkpoint (format in the stories260K NOTICE.md): a header of seven int32
 * and float32 tensors. llama2.c rotates adjacent pairs of each head, Hugging Face the two halves,
 * so wq and wk rows are permuted on the way in ({@link #toHalfSplit}) and back on the way out:
 * inside this module there is one layout.
 */
public final class Llama2cCheckpoint {
  private static final int HEADER_BYTES = 7 * Integer.BYTES;

  private Llama2cCheckpoint() {}

  public static CheckpointContents read(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (channel.size() > Integer.MAX_VALUE) {
        throw new CheckpointException(
            file,
            "llama2.c checkpoints over 2 GiB are not supported ("
                + channel.size()
                + " bytes); use the model's Hugging Face safetensors instead");
      }
      return read(file, channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot read llama2.c checkpoint: " + e.getMessage(), e);
    }
  }

  /** Reads a checkpoint held in memory; {@code file} names it in errors. */
  public static CheckpointContents read(Path file, ByteBuffer buffer) {
    long size = buffer.remaining();
    if (size < HEADER_BYTES) {
      throw new CheckpointException(
          file,
          "truncated llama2.c checkpoint: "
              + size
              + " bytes, shorter than the "
              + HEADER_BYTES
              + "-byte header");
    }
    ByteBuffer bytes = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    int dim = bytes.getInt(),
        hidden = bytes.getInt(),
        layers = bytes.getInt(),
        heads = bytes.getInt();
    int kvHeads = bytes.getInt(), vocab = bytes.getInt(), seqLen = bytes.getInt();
    boolean shared = vocab > 0;
    vocab = Math.abs(vocab);
    LlamaConfig config;
    try {
      config = LlamaConfig.llama(dim, hidden, layers, heads, kvHeads, vocab, seqLen, shared);
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, "not a llama2.c checkpoint: header " + e.getMessage(), e);
    }
    long expected = HEADER_BYTES + 4L * floatCount(config);
    if (size != expected) {
      throw new CheckpointException(
          file,
          (size < expected ? "truncated" : "oversized")
              + " llama2.c checkpoint: the header describes "
              + expected
              + " bytes but the file has "
              + size);
    }
    return new CheckpointContents(config, readTensors(config, bytes.asFloatBuffer()));
  }

  private static StateDict readTensors(LlamaConfig c, FloatBuffer in) {
    int l = c.layers(), d = c.dim(), kv = c.kvDim(), f = c.hiddenDim();
    StateDict sd = new StateDict();
    sd.put(Names.EMBED, take(in, c.vocabSize(), d));
    perLayer(sd, in, l, "input_layernorm.weight", d);
    FloatTensor[] wq = takeLayers(in, l, c.qDim(), d);
    FloatTensor[] wk = takeLayers(in, l, kv, d);
    for (int i = 0; i < l; i++) {
      sd.put(Names.layer(i, "self_attn.q_proj.weight"), toHalfSplit(wq[i], c.heads(), c.headDim()));
      sd.put(
          Names.layer(i, "self_attn.k_proj.weight"), toHalfSplit(wk[i], c.kvHeads(), c.headDim()));
    }
    perLayer(sd, in, l, "self_attn.v_proj.weight", kv, d);
    perLayer(sd, in, l, "self_attn.o_proj.weight", d, c.qDim());
    perLayer(sd, in, l, "post_attention_layernorm.weight", d);
    perLayer(sd, in, l, "mlp.gate_proj.weight", f, d);
    perLayer(sd, in, l, "mlp.down_proj.weight", d, f);
    perLayer(sd, in, l, "mlp.up_proj.weight", f, d);
    sd.put(Names.FINAL_NORM, take(in, d));
    in.position(
        in.position() + c.maxSeqLen() * c.headDim()); // legacy RoPE tables (cos, sin), unused
    if (!c.tiedEmbeddings()) {
      sd.put(Names.LM_HEAD, take(in, c.vocabSize(), d));
    }
    return sd;
  }

  /**
   * Writes a checkpoint in llama2.c's layout (adjacent-pair rotary rows), e.g. a random model for a
   * benchmark.
   */
  public static void write(Path file, LlamaConfig c, StateDict sd) throws IOException {
    if (c.attentionBias() || c.headDim() * c.heads() != c.dim()) {
      throw new IllegalArgumentException(
          "llama2.c format holds no attention biases and needs headDim = dim/heads");
    }
    int l = c.layers(), d = c.dim(), kv = c.kvDim(), f = c.hiddenDim();
    try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        DataOutputStream out = new DataOutputStream(os)) {
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      header
          .putInt(d)
          .putInt(f)
          .putInt(l)
          .putInt(c.heads())
          .putInt(c.kvHeads())
          .putInt(c.tiedEmbeddings() ? c.vocabSize() : -c.vocabSize())
          .putInt(c.maxSeqLen());
      out.write(header.array());
      put(out, sd.require(Names.EMBED, c.vocabSize(), d));
      putLayers(out, sd, l, "input_layernorm.weight", d);
      for (int i = 0; i < l; i++) {
        put(
            out,
            toAdjacentPairs(
                sd.require(Names.layer(i, "self_attn.q_proj.weight"), c.qDim(), d),
                c.heads(),
                c.headDim()));
      }
      for (int i = 0; i < l; i++) {
        put(
            out,
            toAdjacentPairs(
                sd.require(Names.layer(i, "self_attn.k_proj.weight"), kv, d),
                c.kvHeads(),
                c.headDim()));
      }
      putLayers(out, sd, l, "self_attn.v_proj.weight", kv, d);
      putLayers(out, sd, l, "self_attn.o_proj.weight", d, c.qDim());
      putLayers(out, sd, l, "post_attention_layernorm.weight", d);
      putLayers(out, sd, l, "mlp.gate_proj.weight", f, d);
      putLayers(out, sd, l, "mlp.down_proj.weight", d, f);
      putLayers(out, sd, l, "mlp.up_proj.weight", f, d);
      put(out, sd.require(Names.FINAL_NORM, d));
      put(
          out,
          new FloatTensor(
              new long[] {(long) c.maxSeqLen() * c.headDim()},
              new float[c.maxSeqLen() * c.headDim()]));
      if (!c.tiedEmbeddings()) {
        put(out, sd.require(Names.LM_HEAD, c.vocabSize(), d));
      }
    }
  }

  /** llama2.c row order (pairs 2i, 2i+1 per head) to Hugging Face's (i, i + E/2 per head). */
  static FloatTensor toHalfSplit(FloatTensor w, int heads, int headDim) {
    return permuteRows(w, heads, headDim, true);
  }

  static FloatTensor toAdjacentPairs(FloatTensor w, int heads, int headDim) {
    return permuteRows(w, heads, headDim, false);
  }

  private static FloatTensor permuteRows(
      FloatTensor w, int heads, int headDim, boolean toHalfSplit) {
    int cols = (int) w.shape()[1];
    int half = headDim / 2;
    float[] out = new float[w.data().length];
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < half; i++) {
        for (int p = 0; p < 2; p++) {
          int pairRow = h * headDim + 2 * i + p; // llama2.c
          int halfRow = h * headDim + p * half + i; // Hugging Face
          int from = toHalfSplit ? pairRow : halfRow;
          int to = toHalfSplit ? halfRow : pairRow;
          System.arraycopy(w.data(), from * cols, out, to * cols, cols);
        }
      }
    }
    return new FloatTensor(w.shape().clone(), out);
  }

  private static long floatCount(LlamaConfig c) {
    long d = c.dim(), l = c.layers(), kv = c.kvDim(), f = c.hiddenDim(), v = c.vocabSize();
    long perLayer = d + d * c.qDim() + 2 * kv * d + d * c.qDim() + d + 3 * f * d;
    return v * d
        + l * perLayer
        + d
        + (long) c.maxSeqLen() * c.headDim()
        + (c.tiedEmbeddings() ? 0 : v * d);
  }

  private static FloatTensor take(FloatBuffer in, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    float[] data = new float[Math.toIntExact(n)];
    in.get(data);
    return new FloatTensor(shape, data);
  }

  private static FloatTensor[] takeLayers(FloatBuffer in, int layers, long... shape) {
    FloatTensor[] out = new FloatTensor[layers];
    for (int i = 0; i < layers; i++) {
      out[i] = take(in, shape);
    }
    return out;
  }

  private static void perLayer(
      StateDict sd, FloatBuffer in, int layers, String suffix, long... shape) {
    FloatTensor[] tensors = takeLayers(in, layers, shape);
    for (int i = 0; i < layers; i++) {
      sd.put(Names.layer(i, suffix), tensors[i]);
    }
  }

  private static void putLayers(
      DataOutputStream out, StateDict sd, int layers, String suffix, long... shape)
      throws IOException {
    for (int i = 0; i < layers; i++) {
      put(out, sd.require(Names.layer(i, suffix), shape));
    }
  }

  private static void put(OutputStream out, FloatTensor t) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(t.data());
    out.write(buf.array());
  }
}
