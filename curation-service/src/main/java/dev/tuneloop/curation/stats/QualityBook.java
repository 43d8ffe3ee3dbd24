package dev.tuneloop.curation.stats;

import dev.tuneloop.curation.rules.DuplicateMatch;
import dev.tuneloop.curation.rules.Normalizer;
import dev.tuneloop.curation.rules.PiiScanner;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.DuplicateCluster;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.QualityReport;
import dev.tuneloop.proto.v1.ReasonReport;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.RejectedExample;
import dev.tuneloop.proto.v1.RejectedSample;
import dev.tuneloop.proto.v1.Rejection;
import dev.tuneloop.proto.v1.Role;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What curation rejected per dataset and why, for a person tuning the policy: per reason the count
 * and the latest few examples, and the duplicate clusters (the curated example that duplicates
 * matched, how many did, how closely). Memory per dataset is fixed by the caps below, whatever the
 * dataset's size. Written by the curation thread after each committed transaction (and by the
 * rebuild at session start), read by gRPC threads.
 */
public final class QualityBook {

  /** Latest rejected examples kept per reason. */
  public static final int EXAMPLES_PER_REASON = 5;

  /** Characters of prompt and of response kept per example (the cut marked with "…"). */
  public static final int EXCERPT_CHARS = 200;

  /** Clusters in a report, largest first. */
  public static final int TOP_CLUSTERS = 20;

  /**
   * Curated examples tracked as cluster heads per dataset. When full, a new one replaces the
   * smallest cluster (the oldest among equals), so the large clusters a report shows stay exact and
   * only small ones may be undercounted.
   */
  public static final int MAX_CLUSTERS = 1_000;

  private static final PiiScanner PII = new PiiScanner();

  private static final class Reason {
    long count;
    final ArrayDeque<RejectedSample> latest = new ArrayDeque<>(); // newest first
  }

  private static final class Cluster {
    long exact;
    long near;
    double min = 1;
    double max = 0;
    long touched; // the dataset's rejection count when a member last arrived
    RejectedSample latest;

    long size() {
      return exact + near;
    }
  }

  private static final class Dataset {
    long curated;
    long rejected;
    final Map<RejectReason, Reason> reasons = new EnumMap<>(RejectReason.class);
    final Map<String, Cluster> clusters = new HashMap<>();
  }

  private final Map<String, Dataset> datasets = new ConcurrentHashMap<>();

  public void curated(String datasetKey, long n) {
    Dataset d = dataset(datasetKey);
    synchronized (d) {
      d.curated += n;
    }
  }

  /** One rejected record as written to examples.rejected. */
  public void rejected(String datasetKey, RejectedExample record) {
    Dataset d = dataset(datasetKey);
    synchronized (d) {
      d.rejected++;
      Set<RejectReason> seen = EnumSet.noneOf(RejectReason.class);
      RejectedSample excerpts = sample(record); // once per record, whatever its reasons
      for (Rejection r : record.getRejectionsList()) {
        if (!seen.add(r.getReason())) {
          continue; // an example counts once per reason, as in the dataset statistics
        }
        RejectedSample sample = excerpts.toBuilder().setDetail(r.getDetail()).build();
        Reason reason = d.reasons.computeIfAbsent(r.getReason(), k -> new Reason());
        reason.count++;
        reason.latest.addFirst(sample);
        if (reason.latest.size() > EXAMPLES_PER_REASON) {
          reason.latest.removeLast();
        }
        DuplicateMatch.of(r.getReason(), r.getDetail())
            .ifPresent(m -> cluster(d, m, r.getReason(), sample));
      }
    }
  }

  public QualityReport report(String tenant, String dataset) {
    QualityReport.Builder b = QualityReport.newBuilder().setTenant(tenant).setDataset(dataset);
    Dataset d = datasets.get(tenant + "/" + dataset);
    if (d == null) {
      return b.build();
    }
    synchronized (d) {
      long decided = d.curated + d.rejected;
      b.setCurated(d.curated).setRejected(d.rejected).setClustersTracked(d.clusters.size());
      b.setRejectedShare(share(d.rejected, decided));
      d.reasons.entrySet().stream()
          .sorted(
              Comparator.comparingLong((Map.Entry<RejectReason, Reason> e) -> -e.getValue().count)
                  .thenComparing(Map.Entry::getKey))
          .forEach(
              e ->
                  b.addReasons(
                      ReasonReport.newBuilder()
                          .setReason(e.getKey())
                          .setCount(e.getValue().count)
                          .setShare(share(e.getValue().count, decided))
                          .addAllExamples(e.getValue().latest)));
      d.clusters.entrySet().stream()
          .sorted(
              Comparator.comparingLong((Map.Entry<String, Cluster> e) -> -e.getValue().size())
                  .thenComparing(Map.Entry::getKey))
          .limit(TOP_CLUSTERS)
          .forEach(
              e -> {
                Cluster c = e.getValue();
                b.addClusters(
                    DuplicateCluster.newBuilder()
                        .setCuratedExampleId(e.getKey())
                        .setSize(c.size())
                        .setExact(c.exact)
                        .setNear(c.near)
                        .setMinSimilarity(c.min)
                        .setMaxSimilarity(c.max)
                        .setLatest(c.latest));
              });
    }
    return b.build();
  }

  public void clear() {
    datasets.clear();
  }

  private static void cluster(
      Dataset d, DuplicateMatch m, RejectReason reason, RejectedSample sample) {
    Cluster c = d.clusters.get(m.curatedExampleId());
    if (c == null) {
      if (d.clusters.size() >= MAX_CLUSTERS) {
        d.clusters.values().stream()
            .min(Comparator.comparingLong(Cluster::size).thenComparingLong(x -> x.touched))
            .ifPresent(smallest -> d.clusters.values().remove(smallest));
      }
      c = new Cluster();
      d.clusters.put(m.curatedExampleId(), c);
    }
    if (reason == RejectReason.EXACT_DUPLICATE) {
      c.exact++;
    } else {
      c.near++;
    }
    c.min = Math.min(c.min, m.similarity());
    c.max = Math.max(c.max, m.similarity());
    c.touched = d.rejected;
    c.latest = sample;
  }

  private static RejectedSample sample(RejectedExample record) {
    RejectedSample.Builder s = RejectedSample.newBuilder();
    if (record.hasRejectedAt()) {
      s.setRejectedAt(record.getRejectedAt());
    }
    if (record.hasExample()) {
      Example e = record.getExample();
      List<ChatMessage> messages = Normalizer.messages(e);
      s.setExampleId(e.getId())
          .setPromptExcerpt(excerpt(last(messages, Role.ROLE_USER)))
          .setResponseExcerpt(excerpt(last(messages, Role.ROLE_ASSISTANT)));
    }
    return s.build();
  }

  private static String last(List<ChatMessage> messages, Role role) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).getRole() == role) {
        return messages.get(i).getContent();
      }
    }
    return "";
  }

  /**
   * PII masked first (so a cut cannot leave half a number unmasked), whitespace runs folded, then
   * cut to {@link #EXCERPT_CHARS} code points.
   */
  static String excerpt(String text) {
    String masked = PiiScanner.redact(text, PII.scan(text));
    String folded = masked.strip().replaceAll("\\s+", " ");
    if (folded.codePointCount(0, folded.length()) <= EXCERPT_CHARS) {
      return folded;
    }
    return folded.substring(0, folded.offsetByCodePoints(0, EXCERPT_CHARS - 1)) + "…";
  }

  private static double share(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }

  private Dataset dataset(String datasetKey) {
    return datasets.computeIfAbsent(datasetKey, k -> new Dataset());
  }
}
