package dev.tuneloop.llm.generate;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Samples from softmax(logits / temperature), restricted to the k most likely tokens and then to the smallest
 * most-likely set whose probability reaches p. Only tokens that can make the cut are sorted (llama2.c's trick:
 * with n tokens, one below (1 - p) / (n - 1) rarely can; when the shortcut leaves too little mass, all are sorted).
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
        int n = logits.length;
        double[] probs = softmax(logits);
        double cutoff = topK > 0 || topP >= 1f ? 0 : (1 - topP) / Math.max(1, n - 1);
        Integer[] candidates = new Integer[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (probs[i] >= cutoff) {
                candidates[count++] = i;
            }
        }
        double candidateMass = 0;
        for (int i = 0; i < count; i++) {
            candidateMass += probs[candidates[i]];
        }
        if (candidateMass < topP) { // the shortcut cannot decide: sort everything
            count = n;
            for (int i = 0; i < n; i++) {
                candidates[i] = i;
            }
        }
        Integer[] sorted = Arrays.copyOf(candidates, count);
        Arrays.sort(sorted, (a, b) -> Double.compare(probs[b], probs[a]));
        int keep = topK > 0 ? Math.min(topK, sorted.length) : sorted.length;
        double kept = 0;
        for (int i = 0; i < keep; i++) {
            kept += probs[sorted[i]];
        }
        if (topP < 1f) {
            double total = kept;
            double cumulative = 0;
            for (int i = 0; i < keep; i++) {
                cumulative += probs[sorted[i]] / total;
                if (cumulative >= topP) {
                    keep = i + 1;
                    break;
                }
            }
            kept = 0;
            for (int i = 0; i < keep; i++) {
                kept += probs[sorted[i]];
            }
        }
        double r = random.nextDouble() * kept;
        double cumulative = 0;
        for (int i = 0; i < keep; i++) {
            cumulative += probs[sorted[i]];
            if (r < cumulative) {
                return sorted[i];
            }
        }
        return sorted[keep - 1];
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
