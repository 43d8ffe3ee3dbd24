package dev.tuneloop.platform.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a dataset snapshot (see {@link DatasetSnapshots} for the layout).
 *
 * @param format always {@value DatasetSnapshots#FORMAT}
 * @param tenant owner of the dataset
 * @param dataset dataset name
 * @param snapshotId the first 16 hex digits of {@code sha256}: same content, same id
 * @param createdAt ISO-8601 instant the snapshot was first cut
 * @param count records over all parts
 * @param sha256 SHA-256 hex of the uncompressed JSONL of all parts, concatenated in order
 * @param parts the shards in order
 * @param source where the records were read from: topic and, per partition, the end offset
 *     (exclusive) read up to
 * @param curationVersion the curation rules' version
 * @param composition how many records are new, replayed and held out for evaluation; absent in
 *     snapshots written before it existed (those hold every curated example)
 */
public record SnapshotManifest(
    String format,
    String tenant,
    String dataset,
    String snapshotId,
    String createdAt,
    long count,
    String sha256,
    List<Part> parts,
    Source source,
    int curationVersion,
    @JsonInclude(JsonInclude.Include.NON_NULL) Composition composition) {

  /** Part roles of a retrain snapshot with a replay buffer, in the order the parts come. */
  public static final String ROLE_NEW = "new";

  public static final String ROLE_REPLAY = "replay";
  public static final String ROLE_EVAL = "eval";

  /** A snapshot without a composition (every record, no roles). */
  public SnapshotManifest(
      String format,
      String tenant,
      String dataset,
      String snapshotId,
      String createdAt,
      long count,
      String sha256,
      List<Part> parts,
      Source source,
      int curationVersion) {
    this(
        format,
        tenant,
        dataset,
        snapshotId,
        createdAt,
        count,
        sha256,
        parts,
        source,
        curationVersion,
        null);
  }

  /**
   * One shard.
   *
   * @param key object key of the {@code .jsonl.gz}
   * @param count records in it
   * @param bytes compressed size
   * @param sha256 SHA-256 hex of the compressed object
   * @param role what its records are in a retrain snapshot ({@link #ROLE_NEW}, {@link
   *     #ROLE_REPLAY}, {@link #ROLE_EVAL}); absent when the snapshot holds every record
   */
  public record Part(
      String key,
      long count,
      long bytes,
      String sha256,
      @JsonInclude(JsonInclude.Include.NON_NULL) String role) {

    public Part(String key, long count, long bytes, String sha256) {
      this(key, count, bytes, sha256, null);
    }
  }

  /**
   * What a retrain snapshot holds, cut against the previous request's snapshot: {@code newRecords +
   * replayRecords + evalRecords == count}.
   *
   * @param newRecords curated since the previous snapshot's end offsets (all, for the first)
   * @param replayRecords earlier examples carried again (all of them in a full snapshot; a
   *     deterministic sample otherwise)
   * @param evalRecords earlier examples of the frozen eval split carried so it never shrinks (0 in
   *     a full snapshot, where they count as replay)
   * @param earlierRecords examples before the previous snapshot's end offsets (the pool the replay
   *     and eval records come from)
   * @param datasetRecords curated examples of the dataset up to this snapshot's end offsets ({@code
   *     newRecords + earlierRecords})
   * @param previousSnapshot manifest key of the previous request's snapshot ("" for the first)
   */
  public record Composition(
      long newRecords,
      long replayRecords,
      long evalRecords,
      long earlierRecords,
      long datasetRecords,
      String previousSnapshot) {}

  /** The topic the snapshot was cut from and the end offset read up to in each partition. */
  public record Source(String topic, Map<Integer, Long> endOffsets) {
    public Source {
      endOffsets = Map.copyOf(endOffsets);
    }
  }

  public SnapshotManifest {
    parts = List.copyOf(parts);
  }
}
