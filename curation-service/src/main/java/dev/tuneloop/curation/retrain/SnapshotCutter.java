package dev.tuneloop.curation.retrain;

import dev.tuneloop.curation.replay.TopicReplay;
import dev.tuneloop.curation.rules.DatasetCurator;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.dataset.SnapshotRecord;
import dev.tuneloop.platform.dataset.SnapshotWriter;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.CuratedExample;
import java.util.Locale;
import java.util.Map;

/**
 * Cuts a snapshot of one dataset: every committed record of examples.curated with the dataset's
 * key, in offset order, streamed into shards (memory stays bounded however large the dataset),
 * uploaded content-addressed.
 */
public final class SnapshotCutter {

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
   * @param committed per partition of examples.curated, the end (exclusive) of what the caller has
   *     committed and the snapshot must therefore contain
   */
  public SnapshotManifest cut(String tenant, String dataset, Map<Integer, Long> committed) {
    String key = Topics.datasetKey(tenant, dataset);
    try (SnapshotWriter writer = new SnapshotWriter(store, tenant, dataset, recordsPerPart)) {
      Map<Integer, Long> end =
          TopicReplay.replay(
              kafka,
              curatedTopic,
              CuratedExample.parser(),
              "snapshot",
              key::equals,
              committed,
              r -> {
                if (r.value() != null && r.value().isValid()) {
                  writer.add(record(r.value().value()));
                }
              });
      return writer.finish(
          new SnapshotManifest.Source(curatedTopic, end), DatasetCurator.CURATION_VERSION);
    }
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
