package dev.tuneloop.curation.retrain;

import dev.tuneloop.curation.text.Text;
import java.util.List;

/**
 * A histogram of prompt word bigrams hashed into a fixed number of buckets, so its memory does not
 * grow with the dataset (4096 buckets: 32 KiB). A prompt's words are lower-cased letters and digits
 * ({@link Text#words}); a start and an end marker make a one-word prompt one bigram.
 */
public final class PromptBigrams {

  public static final int BUCKETS = 4096;

  private final long[] counts = new long[BUCKETS];
  private long total;

  /** Adds every bigram of one prompt. */
  public void add(String prompt) {
    List<String> words = Text.words(prompt);
    String previous = "^";
    for (int i = 0; i <= words.size(); i++) {
      String word = i < words.size() ? words.get(i) : "$";
      counts[bucket(previous, word)]++;
      total++;
      previous = word;
    }
  }

  /** Adds another histogram's counts (what was new becomes part of what was trained on). */
  public void addAll(PromptBigrams other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
  }

  public long total() {
    return total;
  }

  long[] counts() {
    return counts;
  }

  /**
   * Jensen–Shannon divergence of two histograms over the same buckets, base 2 (0 = the same
   * distribution, 1 = no bucket in common): the mean Kullback–Leibler divergence of each from their
   * average.
   */
  public static double jensenShannon(long[] a, long[] b) {
    double totalA = 0;
    double totalB = 0;
    for (int i = 0; i < a.length; i++) {
      totalA += a[i];
      totalB += b[i];
    }
    if (totalA == 0 || totalB == 0) {
      throw new IllegalArgumentException("the divergence of an empty histogram is undefined");
    }
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double p = a[i] / totalA;
      double q = b[i] / totalB;
      double m = (p + q) / 2;
      if (p > 0) {
        sum += p * Math.log(p / m);
      }
      if (q > 0) {
        sum += q * Math.log(q / m);
      }
    }
    return Math.max(0, Math.min(1, sum / 2 / Math.log(2)));
  }

  private static int bucket(String first, String second) {
    // String.hashCode is specified, so buckets are the same in every JVM and after a restart;
    // the multiply spreads similar strings before the modulo.
    int h = (first.hashCode() * 31 + ' ') * 0x01000193 ^ second.hashCode();
    return Math.floorMod(h * 0x9E3779B9, BUCKETS);
  }
}
