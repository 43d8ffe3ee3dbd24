package dev.tuneloop.curation.retrain;

import dev.tuneloop.curation.replay.TopicReplay;
import dev.tuneloop.curation.rules.DatasetCurator;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.dataset.EvalSplit;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.dataset.SnapshotRecord;
import dev.tuneloop.platform.dataset.SnapshotWriter;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.CuratedExample;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Cuts a snapshot of one dataset from the committed records of examples.curated with the dataset's
 * key, in one pass in offset order, uploaded content-addressed.
 *
 * <p>A full snapshot holds every record, streamed into shards (memory stays bounded however large
 * the dataset). A retrain snapshot with a replay buffer holds, in parts of their own: every record
 * since the previous request's snapshot ended ({@code new}, streamed), a deterministic sample of
 * the earlier ones ({@code replay}) and the earlier ones of the frozen eval split ({@code eval}),
 * both chosen bottom-k by a hash of the id with bounded heaps, so memory is bounded by {@code
 * replay-max + max-eval-examples} records and a re-cut picks the same records.
 */
public final class SnapshotCutter {

  /**
   * What the previous request's snapshot covered.
   *
   * @param manifestKey its manifest key (also salts the replay sample, so each retrain replays a
   *     different sample of the history, and a re-cut of the same retrain the same one)
   * @param endOffsets per partition of examples.curated, the end (exclusive) it was cut up to
   * @param replayBefore where the snapshot of the latest version the gate promoted ended: only
   *     records before it are replayed or carried as eval records, so the data of a candidate the
   *     gate refused (a poisoned batch, say) is quarantined, never fed back; null when no version
   *     was promoted (every earlier record counts)
   */
  public record Since(
      String manifestKey, Map<Integer, Long> endOffsets, Map<Integer, Long> replayBefore) {
    public Since {
      endOffsets = Map.copyOf(endOffsets);
      replayBefore = replayBefore == null ? null : Map.copyOf(replayBefore);
    }

    public Since(String manifestKey, Map<Integer, Long> endOffsets) {
      this(manifestKey, endOffsets, null);
    }

    /** Whether an earlier record may be replayed. */
    boolean replayable(int partition, long offset) {
      return replayBefore == null || offset < replayBefore.getOrDefault(partition, 0L);
    }
  }

  /**
   * @param share replayed share of the earlier examples ({@code retrain.replay-share})
   * @param max at most this many replayed ({@code retrain.replay-max})
   * @param maxEval at most this many earlier eval-split examples ({@code
   *     retrain.max-eval-examples})
   * @param evalFraction the training request's eval fraction: the frozen split is {@link
   *     EvalSplit#isEval}(id, evalFraction)
   */
  public record Replay(double share, int max, int maxEval, double evalFraction) {}

  private final KafkaSettings kafka;
  private final String curatedTopic;
  private final ObjectStore store;
  private final int recordsPerPart;

  public SnapshotCutter(
      KafkaSettings kafka, String curatedTopic, ObjectStore store, int recordsPerPart) {
    this.kafka = kafka;
    this.curatedTopic = curatedTopic;
    this.store = store;
    this.recordsPerPart = recordsPerPart;
  }

  /**
   * A full snapshot: every committed record of the dataset.
   *
   * @param committed per partition of examples.curated, the end (exclusive) of what the caller has
   *     committed and the snapshot must therefore contain
   */
  public SnapshotManifest cut(String tenant, String dataset, Map<Integer, Long> committed) {
    return cut(tenant, dataset, committed, null, null);
  }

  /**
   * A retrain snapshot against {@code since}; full when {@code since} is null (the dataset's first)
   * or the replay share is 1.
   */
  public SnapshotManifest cut(
      String tenant, String dataset, Map<Integer, Long> committed, Since since, Replay replay) {
    String key = Topics.datasetKey(tenant, dataset);
    // Share 1 replays everything: a full snapshot, unless a refused candidate's data sits between
    // the promoted version's snapshot and the previous one (that data is left out, so not "full").
    boolean full =
        since == null
            || replay == null
            || (replay.share() >= 1
                && (since.replayBefore() == null
                    || since.replayBefore().equals(since.endOffsets())));
    Map<Integer, Long> before = since == null ? Map.of() : since.endOffsets();
    String salt = since == null ? "" : since.manifestKey();
    int replayCap = full ? 0 : replay.max();
    int evalCap = full ? 0 : replay.maxEval();
    BottomK replayHeap = new BottomK(replayCap);
    BottomK evalHeap = new BottomK(evalCap);
    long[] counts = new long[3]; // new, earlier, earlier and replayable
    try (SnapshotWriter writer = new SnapshotWriter(store, tenant, dataset, recordsPerPart)) {
      if (!full) {
        writer.section(SnapshotManifest.ROLE_NEW);
      }
      Map<Integer, Long> end =
          TopicReplay.replay(
              kafka,
              curatedTopic,
              CuratedExample.parser(),
              "snapshot",
              key::equals,
              committed,
              r -> {
                if (r.value() == null || !r.value().isValid()) {
                  return;
                }
                SnapshotRecord rec = record(r.value().value());
                boolean earlier = r.offset() < before.getOrDefault(r.partition(), 0L);
                counts[earlier ? 1 : 0]++;
                if (full || !earlier) {
                  writer.add(rec);
                } else if (!since.replayable(r.partition(), r.offset())) {
                  // Quarantined: the data of a candidate the gate refused is neither replayed nor
                  // held out (its wrong answers would steer best-checkpoint selection and the
                  // gate).
                } else if (EvalSplit.isEval(rec.id(), replay.evalFraction())) {
                  evalHeap.offer(hash("", rec.id()), rec);
                } else {
                  counts[2]++;
                  replayHeap.offer(hash(salt, rec.id()), rec);
                }
              });
      long replayed;
      long evals;
      if (full) {
        replayed = counts[1];
        evals = 0;
      } else {
        long replayable = since.replayBefore() == null ? counts[1] : counts[2];
        int k = (int) Math.min(replay.max(), (long) Math.ceil(replay.share() * replayable));
        writer.section(SnapshotManifest.ROLE_REPLAY);
        List<SnapshotRecord> sample = replayHeap.smallest(k);
        sample.forEach(writer::add);
        writer.section(SnapshotManifest.ROLE_EVAL);
        List<SnapshotRecord> eval = evalHeap.smallest(evalCap);
        eval.forEach(writer::add);
        replayed = sample.size();
        evals = eval.size();
      }
      return writer.finish(
          new SnapshotManifest.Source(curatedTopic, end),
          DatasetCurator.CURATION_VERSION,
          new SnapshotManifest.Composition(
              counts[0],
              replayed,
              evals,
              counts[1],
              counts[0] + counts[1],
              since == null ? "" : since.manifestKey()));
    }
  }

  /**
   * The {@code k} records with the smallest hashes seen so far (ties by id): a max-heap that drops
   * its largest when full, so it never holds more than {@code k}.
   */
  private static final class BottomK {
    private record Entry(long hash, SnapshotRecord record) {}

    private static final Comparator<Entry> ORDER =
        Comparator.<Entry>comparingLong(e -> e.hash() ^ Long.MIN_VALUE) // unsigned
            .thenComparing(e -> e.record().id());

    private final int k;
    private final PriorityQueue<Entry> heap = new PriorityQueue<>(ORDER.reversed());

    BottomK(int k) {
      this.k = k;
    }

    void offer(long hash, SnapshotRecord record) {
      if (k == 0) {
        return;
      }
      Entry e = new Entry(hash, record);
      if (heap.size() < k) {
        heap.add(e);
      } else if (ORDER.compare(e, heap.peek()) < 0) {
        heap.poll();
        heap.add(e);
      }
    }

    /** The smallest {@code n} (at most all held), smallest hash first. */
    List<SnapshotRecord> smallest(int n) {
      List<Entry> all = new ArrayList<>(heap);
      all.sort(ORDER);
      return all.subList(0, Math.min(n, all.size())).stream().map(Entry::record).toList();
    }
  }

  /** The first 64 bits of SHA-256 of the id, or with a salt of salt, newline, id. */
  static long hash(String salt, String id) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    if (!salt.isEmpty()) {
      sha.update((salt + "\n").getBytes(StandardCharsets.UTF_8));
    }
    byte[] d = sha.digest(id.getBytes(StandardCharsets.UTF_8));
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = (bits << 8) | (d[i] & 0xFF);
    }
    return bits;
  }

  static SnapshotRecord record(CuratedExample c) {
    return new SnapshotRecord(
        c.getExample().getId(),
        c.getMessagesList().stream()
            .map(m -> new SnapshotRecord.Message(role(m), m.getContent()))
            .toList(),
        c.getExample().getMetadataMap(),
        c.getTokenCount(),
        c.getContentHash());
  }

  private static String role(ChatMessage m) {
    return m.getRole().name().substring("ROLE_".length()).toLowerCase(Locale.ROOT);
  }
}
