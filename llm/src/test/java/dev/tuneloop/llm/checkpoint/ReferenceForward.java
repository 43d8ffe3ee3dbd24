package dev.tuneloop.llm.checkpoint;

import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.StateDict;
import dev.tuneloop.llm.model.StateDict.Names;

/**
 * A deliberately naive Llama-family forward in plain Java doubles, written from the papers'
 * equations and Hugging Face's modelling code (half-split rotary, grouped-query attention, q/k/v
 * biases, sliding window), sharing nothing with the DJL model; tests compare the two.
 */
final class ReferenceForward {
  private final LlamaConfig c;
  private final StateDict sd;

  ReferenceForward(LlamaConfig c, StateDict sd) {
    this.c = c;
    this.sd = sd;
  }

  /** Logits (T, V) for one sequence. */
  double[][] logits(int[] tokens) {
    int t = tokens.length;
    double[][] x = new double[t][];
    for (int i = 0; i < t; i++) {
      x[i] = row(Names.EMBED, tokens[i], c.dim());
    }
    for (int l = 0; l < c.layers(); l++) {
      double[][] attnOut = attention(l, x);
      for (int i = 0; i < t; i++) {
        add(x[i], attnOut[i]);
        double[] h = rmsNorm(x[i], w(Names.layer(l, "post_attention_layernorm.weight")));
        double[] gate = matVec(Names.layer(l, "mlp.gate_proj.weight"), h, c.hiddenDim());
        double[] up = matVec(Names.layer(l, "mlp.up_proj.weight"), h, c.hiddenDim());
        for (int j = 0; j < gate.length; j++) {
          gate[j] = gate[j] / (1 + Math.exp(-gate[j])) * up[j];
        }
        add(x[i], matVec(Names.layer(l, "mlp.down_proj.weight"), gate, c.dim()));
      }
    }
    String head = c.tiedEmbeddings() ? Names.EMBED : Names.LM_HEAD;
    double[][] logits = new double[t][];
    for (int i = 0; i < t; i++) {
      logits[i] = matVec(head, rmsNorm(x[i], w(Names.FINAL_NORM)), c.vocabSize());
    }
    return logits;
  }

  private double[][] attention(int l, double[][] x) {
    int t = x.length, e = c.headDim();
    double[][] q = new double[t][], k = new double[t][], v = new double[t][];
    for (int i = 0; i < t; i++) {
      double[] h = rmsNorm(x[i], w(Names.layer(l, "input_layernorm.weight")));
      q[i] =
          rope(withBias(matVec(Names.layer(l, "self_attn.q_proj.weight"), h, c.qDim()), l, "q"), i);
      k[i] =
          rope(
              withBias(matVec(Names.layer(l, "self_attn.k_proj.weight"), h, c.kvDim()), l, "k"), i);
      v[i] = withBias(matVec(Names.layer(l, "self_attn.v_proj.weight"), h, c.kvDim()), l, "v");
    }
    double[][] out = new double[t][];
    for (int i = 0; i < t; i++) {
      double[] att = new double[c.qDim()];
      for (int head = 0; head < c.heads(); head++) {
        int kvHead = head / c.groupSize();
        double[] scores = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s <= i; s++) {
          boolean inWindow = c.slidingWindow() == 0 || i - s < c.slidingWindow();
          double dot = 0;
          for (int d = 0; d < e; d++) {
            dot += q[i][head * e + d] * k[s][kvHead * e + d];
          }
          scores[s] = inWindow ? dot / Math.sqrt(e) : Double.NEGATIVE_INFINITY;
          max = Math.max(max, scores[s]);
        }
        double sum = 0;
        for (int s = 0; s <= i; s++) {
          scores[s] = Math.exp(scores[s] - max);
          sum += scores[s];
        }
        for (int s = 0; s <= i; s++) {
          for (int d = 0; d < e; d++) {
            att[head * e + d] += scores[s] / sum * v[s][kvHead * e + d];
          }
        }
      }
      out[i] = matVec(Names.layer(l, "self_attn.o_proj.weight"), att, c.dim());
    }
    return out;
  }

  /** Half-split rotary: dimension j of each head pairs with j + E/2. */
  private double[] rope(double[] vec, int pos) {
    int e = c.headDim(), half = e / 2;
    double[] out = vec.clone();
    for (int h = 0; h < vec.length / e; h++) {
      for (int j = 0; j < half; j++) {
        double angle = pos * Math.pow(c.ropeTheta(), -2.0 * j / e);
        double a = vec[h * e + j], b = vec[h * e + j + half];
        out[h * e + j] = a * Math.cos(angle) - b * Math.sin(angle);
        out[h * e + j + half] = b * Math.cos(angle) + a * Math.sin(angle);
      }
    }
    return out;
  }

  private double[] withBias(double[] y, int l, String proj) {
    String name = Names.layer(l, "self_attn." + proj + "_proj.bias");
    if (sd.contains(name)) {
      add(y, w(name));
    }
    return y;
  }

  private double[] rmsNorm(double[] x, double[] weight) {
    double ss = 0;
    for (double v : x) {
      ss += v * v;
    }
    double scale = 1 / Math.sqrt(ss / x.length + c.normEps());
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * scale * weight[i];
    }
    return out;
  }

  private double[] matVec(String name, double[] x, int rows) {
    float[] m = sd.tensors().get(name).data();
    double[] y = new double[rows];
    for (int r = 0; r < rows; r++) {
      double acc = 0;
      for (int j = 0; j < x.length; j++) {
        acc += m[r * x.length + j] * x[j];
      }
      y[r] = acc;
    }
    return y;
  }

  private double[] row(String name, int r, int cols) {
    float[] m = sd.tensors().get(name).data();
    double[] out = new double[cols];
    for (int j = 0; j < cols; j++) {
      out[j] = m[r * cols + j];
    }
    return out;
  }

  private double[] w(String name) {
    return row(name, 0, sd.tensors().get(name).data().length);
  }

  private static void add(double[] acc, double[] y) {
    for (int i = 0; i < acc.length; i++) {
      acc[i] += y[i];
    }
  }
}
