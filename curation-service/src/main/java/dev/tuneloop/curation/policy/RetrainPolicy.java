package dev.tuneloop.curation.policy;

import java.time.Duration;

/**
 * When a dataset asks for a new adapter: at least {@code minNew} curated examples since the last
 * request and at least {@code minTotal} in all, or, with a schedule, every {@code schedule} when
 * anything new arrived (still needing {@code minTotal}). Never while a job for the adapter is still
 * running.
 *
 * @param enabled whether this dataset trains at all
 * @param adapter adapter name ("" = the dataset name)
 * @param minNew new curated examples since the last request
 * @param minTotal curated examples in the dataset; fine-tuning on fewer than a few hundred mostly
 *     overfits
 * @param schedule optional period (null = threshold only)
 */
public record RetrainPolicy(
    boolean enabled, String adapter, int minNew, int minTotal, Duration schedule) {

  public static final RetrainPolicy DEFAULTS = new RetrainPolicy(true, "", 100, 200, null);

  public RetrainPolicy {
    adapter = adapter == null ? "" : adapter;
    if (minNew < 1 || minTotal < 1) {
      throw new IllegalArgumentException(
          "retrain min-new and min-total must be at least 1, got " + minNew + " and " + minTotal);
    }
  }

  public String adapterFor(String dataset) {
    return adapter.isBlank() ? dataset : adapter;
  }
}
