package dev.tuneloop.curation.policy;

import java.time.Duration;

/**
 * When a dataset asks for a new adapter, and what the request's snapshot holds. Due at least {@code
 * minNew} curated examples since the last request and at least {@code minTotal} in all, or, with a
 * schedule, every {@code schedule} when anything new arrived, or when the prompts curated since the
 * last request drifted (still needing {@code minTotal}). Never while a job for the adapter is still
 * running.
 *
 * @param enabled whether this dataset trains at all
 * @param adapter adapter name ("" = the dataset name)
 * @param minNew new curated examples since the last request
 * @param minTotal curated examples in the dataset; fine-tuning on fewer than a few hundred mostly
 *     overfits
 * @param schedule optional period (null = threshold only)
 * @param replayShare share of the earlier examples a retrain snapshot replays beside the new ones
 *     (1 = every earlier example: a full snapshot)
 * @param replayMax at most this many replayed examples
 * @param maxEvalExamples at most this many earlier eval-split examples carried into a retrain
 *     snapshot
 * @param warmStart whether requests ask to start from the production version's weights
 * @param driftThreshold prompt drift (Jensen–Shannon divergence beyond sampling noise) above which
 *     the dataset is due; 0 = off
 * @param driftMinNew new curated examples the drift trigger needs at least
 */
public record RetrainPolicy(
    boolean enabled,
    String adapter,
    int minNew,
    int minTotal,
    Duration schedule,
    double replayShare,
    int replayMax,
    int maxEvalExamples,
    boolean warmStart,
    double driftThreshold,
    int driftMinNew) {

  public static final RetrainPolicy DEFAULTS =
      new RetrainPolicy(true, "", 100, 200, null, 0.25, 5000, 2000, true, 0, 20);

  public RetrainPolicy {
    adapter = adapter == null ? "" : adapter;
    if (minNew < 1 || minTotal < 1) {
      throw new IllegalArgumentException(
          "retrain min-new and min-total must be at least 1, got " + minNew + " and " + minTotal);
    }
    if (!(replayShare >= 0 && replayShare <= 1)) {
      throw new IllegalArgumentException(
          "retrain replay-share is " + replayShare + "; it must be between 0 and 1");
    }
    if (replayMax < 0 || maxEvalExamples < 0) {
      throw new IllegalArgumentException(
          "retrain replay-max and max-eval-examples must be at least 0, got "
              + replayMax
              + " and "
              + maxEvalExamples);
    }
    if (!(driftThreshold >= 0 && driftThreshold <= 1)) {
      throw new IllegalArgumentException(
          "retrain drift-threshold is "
              + driftThreshold
              + "; it must be between 0 and 1 (0 = off)");
    }
    if (driftMinNew < 1) {
      throw new IllegalArgumentException(
          "retrain drift-min-new must be at least 1, got " + driftMinNew);
    }
  }

  /** The thresholds only; the snapshot, warm-start and drift settings at their defaults. */
  public RetrainPolicy(
      boolean enabled, String adapter, int minNew, int minTotal, Duration schedule) {
    this(enabled, adapter, minNew, minTotal, schedule, 0.25, 5000, 2000, true, 0, 20);
  }

  public String adapterFor(String dataset) {
    return adapter.isBlank() ? dataset : adapter;
  }
}
