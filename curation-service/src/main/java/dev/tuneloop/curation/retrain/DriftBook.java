package dev.tuneloop.curation.retrain;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.Role;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Per dataset, the prompt bigrams of the examples its last retrain request trained on (everything
 * curated up to that request's snapshot) and of those curated since, and how far the second has
 * drifted from the first. Fed by the curation worker after each committed batch and rebuilt from
 * examples.curated at session start (a record below the last request's end offsets is "trained",
 * the rest "new"), so it survives a restart.
 *
 * <p>The plug-in divergence of a small sample is inflated: 30 prompts of the same kind as 1,000
 * others still share few of their hashed bigrams. So the drift that triggers a retrain is the
 * divergence beyond what sampling alone gives: the divergence of two samples of the same sizes
 * drawn (seeded, so the same every time) from the two windows pooled.
 */
public final class DriftBook {

  /** Draws per window for the sampling estimate: bounds its cost on large windows. */
  static final long MAX_DRAWS = 100_000;

  /**
   * @param divergence Jensen–Shannon divergence (base 2) of the new window from the trained one
   * @param sampling the divergence two same-sized samples of one distribution show
   * @param trainedBigrams bigrams in the trained window
   * @param newBigrams bigrams in the new window
   */
  public record Drift(double divergence, double sampling, long trainedBigrams, long newBigrams) {
    /** The divergence beyond sampling noise: what {@code retrain.drift-threshold} is against. */
    public double excess() {
      return Math.max(0, divergence - sampling);
    }
  }

  private static final class Windows {
    final PromptBigrams trained = new PromptBigrams();
    PromptBigrams fresh = new PromptBigrams();
    // The drift last computed, kept until either window changes: the periodic check asks often.
    Drift computed;
  }

  private final Map<String, Windows> datasets = new HashMap<>();

  /** One curated example's prompts (its user messages), in the trained or the new window. */
  public synchronized void curated(String datasetKey, CuratedExample example, boolean trained) {
    Windows w = datasets.computeIfAbsent(datasetKey, k -> new Windows());
    PromptBigrams into = trained ? w.trained : w.fresh;
    w.computed = null;
    for (ChatMessage m : example.getMessagesList()) {
      if (m.getRole() == Role.ROLE_USER) {
        into.add(m.getContent());
      }
    }
  }

  /** A retrain was requested on everything curated so far: the new window joins the trained. */
  public synchronized void requested(String datasetKey) {
    Windows w = datasets.get(datasetKey);
    if (w != null) {
      w.trained.addAll(w.fresh);
      w.fresh = new PromptBigrams();
      w.computed = null;
    }
  }

  /** The new window's drift, or empty while either window has no bigram. */
  public synchronized Optional<Drift> drift(String datasetKey) {
    Windows w = datasets.get(datasetKey);
    if (w == null || w.trained.total() == 0 || w.fresh.total() == 0) {
      return Optional.empty();
    }
    if (w.computed == null) {
      w.computed = compute(w);
    }
    return Optional.of(w.computed);
  }

  private static Drift compute(Windows w) {
    long[] trained = w.trained.counts();
    long[] fresh = w.fresh.counts();
    long[] pooled = new long[PromptBigrams.BUCKETS];
    Arrays.setAll(pooled, i -> trained[i] + fresh[i]);
    SplittableRandom random = new SplittableRandom(20261203L);
    double sampling =
        PromptBigrams.jensenShannon(
            draw(pooled, Math.min(w.trained.total(), MAX_DRAWS), random),
            draw(pooled, Math.min(w.fresh.total(), MAX_DRAWS), random));
    return new Drift(
        PromptBigrams.jensenShannon(trained, fresh), sampling, w.trained.total(), w.fresh.total());
  }

  public synchronized void clear() {
    datasets.clear();
  }

  /** {@code n} draws from the histogram {@code pool}, as counts per bucket. */
  private static long[] draw(long[] pool, long n, SplittableRandom random) {
    long[] cumulative = new long[pool.length];
    long sum = 0;
    for (int i = 0; i < pool.length; i++) {
      sum += pool[i];
      cumulative[i] = sum;
    }
    long[] counts = new long[pool.length];
    for (long j = 0; j < n; j++) {
      counts[firstAbove(cumulative, random.nextLong(sum))]++;
    }
    return counts;
  }

  /** The first index whose cumulative count exceeds {@code u} (skips empty buckets). */
  private static int firstAbove(long[] cumulative, long u) {
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] > u) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }
}
