package dev.tuneloop.curation.memory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Locality-sensitive hashing over MinHash signatures: signatures are cut into bands of rows; two
 * signatures that agree on any whole band become candidates, which are then checked against the
 * threshold. Bands are chosen so that the S-curve's midpoint (1/b)^(1/r) sits a little below the
 * threshold, favouring recall; the check restores precision.
 */
public final class LshIndex {

  public record Hit(String id, double similarity) {}

  private final double threshold;
  private final int rows;
  private final int bands;
  private final List<Map<Long, List<Integer>>> buckets = new ArrayList<>();
  private final List<long[]> signatures = new ArrayList<>();
  private final List<String> ids = new ArrayList<>();

  public LshIndex(double threshold) {
    this.threshold = threshold;
    this.rows = rowsFor(threshold);
    this.bands = MinHash.SLOTS / rows;
    for (int b = 0; b < bands; b++) {
      buckets.add(new HashMap<>());
    }
  }

  static int rowsFor(double threshold) {
    int best = 1;
    for (int r : new int[] {1, 2, 4, 8, 16, 32}) {
      double midpoint = Math.pow(1.0 / (MinHash.SLOTS / r), 1.0 / r);
      if (midpoint <= threshold - 0.05) {
        best = r;
      }
    }
    return best;
  }

  /** The most similar indexed signature at or above the threshold, or null. */
  public Hit nearest(long[] signature) {
    Set<Integer> candidates = new LinkedHashSet<>();
    for (int b = 0; b < bands; b++) {
      List<Integer> bucket = buckets.get(b).get(bandKey(signature, b));
      if (bucket != null) {
        candidates.addAll(bucket);
      }
    }
    Hit best = null;
    for (int c : candidates) {
      double s = MinHash.similarity(signature, signatures.get(c));
      if (s >= threshold && (best == null || s > best.similarity())) {
        best = new Hit(ids.get(c), s);
      }
    }
    return best;
  }

  public void add(String id, long[] signature) {
    int index = signatures.size();
    signatures.add(signature);
    ids.add(id);
    for (int b = 0; b < bands; b++) {
      buckets.get(b).computeIfAbsent(bandKey(signature, b), k -> new ArrayList<>(1)).add(index);
    }
  }

  public int size() {
    return signatures.size();
  }

  private long bandKey(long[] signature, int band) {
    long h = band;
    for (int r = 0; r < rows; r++) {
      h = MinHash.mix(h * 31 + signature[band * rows + r]);
    }
    return h;
  }
}
