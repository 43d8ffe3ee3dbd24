package dev.tuneloop.curation.stats;

import dev.tuneloop.proto.v1.DatasetStats;
import dev.tuneloop.proto.v1.RejectReason;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decision counts per dataset, by outcome and reason. Written by the curation thread after each
 * committed transaction, read by gRPC threads.
 */
public final class StatsBook {

  private static final class Counts {
    long curated;
    long rejected;
    final Map<String, Long> byReason = new TreeMap<>();
  }

  private final Map<String, Counts> datasets = new ConcurrentHashMap<>();

  public void curated(String datasetKey, long n) {
    Counts c = counts(datasetKey);
    synchronized (c) {
      c.curated += n;
    }
  }

  public void rejected(String datasetKey, Collection<RejectReason> reasons) {
    Counts c = counts(datasetKey);
    synchronized (c) {
      c.rejected++;
      for (RejectReason r : reasons.stream().distinct().toList()) {
        c.byReason.merge(r.name(), 1L, Long::sum);
      }
    }
  }

  public long curatedCount(String datasetKey) {
    Counts c = datasets.get(datasetKey);
    if (c == null) {
      return 0;
    }
    synchronized (c) {
      return c.curated;
    }
  }

  /** Counts only; the retrain fields are filled by the caller. */
  public DatasetStats.Builder stats(String tenant, String dataset) {
    DatasetStats.Builder b = DatasetStats.newBuilder().setTenant(tenant).setDataset(dataset);
    Counts c = datasets.get(tenant + "/" + dataset);
    if (c != null) {
      synchronized (c) {
        b.setCurated(c.curated).setRejected(c.rejected).putAllRejectedByReason(c.byReason);
      }
    }
    return b;
  }

  public java.util.Set<String> datasetKeys() {
    return java.util.Set.copyOf(datasets.keySet());
  }

  public void clear() {
    datasets.clear();
  }

  private Counts counts(String datasetKey) {
    return datasets.computeIfAbsent(datasetKey, k -> new Counts());
  }
}
