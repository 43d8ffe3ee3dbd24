package dev.tuneloop.llm.generate;

import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.random.RandomGenerator;

/**
 * Samples from softmax(logits / temperature), restricted to the k most likely tokens and then to
 * the smallest most-likely set whose probability reaches p. Plain temperature sampling sorts
 * nothing; top-k keeps a k-sized heap; top-p sorts only tokens that can make the cut (llama2.c's
 * trick: with n tokens, one below (1 - p) / (n - 1) rarely can; when the shortcut leaves too little
 * mass, all are sorted).
 */
final class TopPSampler implements Sampler {
  private final float temperature;
  private final int topK;
  private final float topP;
  private final RandomGenerator random;

  TopPSampler(float temperature, int topK, float topP, RandomGenerator random) {
    this.temperature = temperature;
    this.topK = topK;
    this.topP = topP;
    this.random = random;
  }

  @Override
  public int sample(float[] logits) {
    double[] probs = softmax(logits);
    if (topK == 0 && topP >= 1f) {
      return pick(probs, null, probs.length, 1.0);
    }
    Integer[] sorted = topK > 0 ? topK(probs) : nucleusCandidates(probs);
    int keep = sorted.length;
    double kept = 0;
    for (Integer id : sorted) {
      kept += probs[id];
    }
    if (topP < 1f) {
      double cumulative = 0;
      for (int i = 0; i < sorted.length; i++) {
        cumulative += probs[sorted[i]];
        if (cumulative / kept >= topP) {
          keep = i + 1;
          kept = cumulative;
          break;
        }
      }
    }
    return pick(probs, sorted, keep, kept);
  }

  /**
   * Draws among the first {@code count} ids of {@code order} (or all ids when null) with total mass
   * {@code mass}.
   */
  private int pick(double[] probs, Integer[] order, int count, double mass) {
    double r = random.nextDouble() * mass;
    double cumulative = 0;
    for (int i = 0; i < count; i++) {
      int id = order == null ? i : order[i];
      cumulative += probs[id];
      if (r < cumulative) {
        return id;
      }
    }
    return order == null ? count - 1 : order[count - 1];
  }

  /** The k most likely ids, most likely first. */
  private Integer[] topK(double[] probs) {
    int k = Math.min(topK, probs.length);
    PriorityQueue<Integer> heap =
        new PriorityQueue<>(k, (a, b) -> Double.compare(probs[a], probs[b]));
    for (int i = 0; i < probs.length; i++) {
      if (heap.size() < k) {
        heap.add(i);
      } else if (probs[i] > probs[heap.peek()]) {
        heap.poll();
        heap.add(i);
      }
    }
    Integer[] out = heap.toArray(new Integer[0]);
    Arrays.sort(out, (a, b) -> Double.compare(probs[b], probs[a]));
    return out;
  }

  /** Ids that can be in the nucleus, most likely first. */
  private Integer[] nucleusCandidates(double[] probs) {
    int n = probs.length;
    double cutoff = (1 - topP) / Math.max(1, n - 1);
    Integer[] candidates = new Integer[n];
    int count = 0;
    double mass = 0;
    for (int i = 0; i < n; i++) {
      if (probs[i] >= cutoff) {
        candidates[count++] = i;
        mass += probs[i];
      }
    }
    if (mass < topP) { // the shortcut cannot decide: sort everything
      count = n;
      for (int i = 0; i < n; i++) {
        candidates[i] = i;
      }
    }
    Integer[] sorted = Arrays.copyOf(candidates, count);
    Arrays.sort(sorted, (a, b) -> Double.compare(probs[b], probs[a]));
    return sorted;
  }

  private double[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] probs = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      probs[i] = Math.exp((logits[i] - max) / temperature);
      sum += probs[i];
    }
    for (int i = 0; i < probs.length; i++) {
      probs[i] /= sum;
    }
    return probs;
  }
}
