package dev.tuneloop.platform.dataset;

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
    int curationVersion) {

  /**
   * One shard.
   *
   * @param key object key of the {@code .jsonl.gz}
   * @param count records in it
   * @param bytes compressed size
   * @param sha256 SHA-256 hex of the compressed object
   */
  public record Part(String key, long count, long bytes, String sha256) {}

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
