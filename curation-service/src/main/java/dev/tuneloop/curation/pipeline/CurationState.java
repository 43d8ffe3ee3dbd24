package dev.tuneloop.curation.pipeline;

import dev.tuneloop.curation.replay.TopicReplay;
import dev.tuneloop.curation.retrain.DriftBook;
import dev.tuneloop.curation.retrain.RetrainPlanner;
import dev.tuneloop.curation.retrain.RetrainTrigger;
import dev.tuneloop.curation.stats.QualityBook;
import dev.tuneloop.curation.stats.StatsBook;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.dataset.DatasetSnapshots;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.RejectedExample;
import dev.tuneloop.proto.v1.Rejection;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds everything curation keeps in memory from the topics it wrote: duplicate and
 * contradiction memory, counts, the quality report and prompt-drift windows from examples.curated
 * and examples.rejected, retrain history from training.requests. Because those records were written
 * in the same transactions as the consumed offsets, the rebuilt state matches the committed input
 * position exactly: nothing a crashed transaction did is remembered, and nothing committed is
 * forgotten.
 */
final class CurationState {

  private static final Logger log = LoggerFactory.getLogger(CurationState.class);

  private CurationState() {}

  static void rebuild(
      KafkaSettings kafka,
      CurationTopics topics,
      Curator curator,
      StatsBook stats,
      QualityBook quality,
      RetrainPlanner planner,
      DriftBook drift,
      ObjectStore store) {
    long start = System.nanoTime();
    stats.clear();
    quality.clear();
    planner.clear();
    drift.clear();
    long[] n = new long[4];
    // Retrain requests first: where each dataset's last request ended tells the curated replay
    // below which examples it trained on (the drift windows).
    TopicReplay.replay(
        kafka,
        topics.trainingRequests(),
        TrainingJobSpec.parser(),
        "rebuild-requests",
        r -> {
          if (r.value() != null
              && r.value().isValid()
              && RetrainPlanner.REQUESTED_BY.equals(r.value().value().getRequestedBy())) {
            TrainingJobSpec spec = r.value().value();
            SnapshotManifest manifest;
            try {
              manifest = DatasetSnapshots.readManifest(store, spec.getDatasetSnapshot());
            } catch (RuntimeException e) {
              // A request whose snapshot is gone or unreadable (the trainer dead-letters it) must
              // not stop the rebuild, or curation would restart forever on it.
              log.warn(
                  "skipping retrain request {} at {}-{}@{} in the rebuild: snapshot {}: {}",
                  spec.getJobId(),
                  r.topic(),
                  r.partition(),
                  r.offset(),
                  spec.getDatasetSnapshot(),
                  e.toString());
              n[3]++;
              return;
            }
            planner.requested(
                Topics.datasetKey(manifest.tenant(), manifest.dataset()),
                new RetrainPlanner.Request(
                    spec.getJobId(),
                    Topics.adapterKey(spec.getTenant(), spec.getAdapterName()),
                    spec.getDatasetSnapshot(),
                    RetrainTrigger.curatedAtRequest(manifest),
                    Timestamps.toInstant(spec.getRequestedAt()),
                    manifest.source().endOffsets()));
            n[2]++;
          }
        });
    TopicReplay.replay(
        kafka,
        topics.curated(),
        CuratedExample.parser(),
        "rebuild-curated",
        r -> {
          if (r.value() != null && r.value().isValid()) {
            CuratedExample c = r.value().value();
            curator.replayCurated(c);
            Map<Integer, Long> trainedUpTo =
                planner
                    .lastRequest(r.key())
                    .map(RetrainPlanner.Request::endOffsets)
                    .orElse(Map.of());
            drift.curated(r.key(), c, r.offset() < trainedUpTo.getOrDefault(r.partition(), 0L));
            stats.curated(r.key(), 1);
            quality.curated(r.key(), 1);
            n[0]++;
          }
        });
    TopicReplay.replay(
        kafka,
        topics.rejected(),
        RejectedExample.parser(),
        "rebuild-rejected",
        r -> {
          if (r.value() != null
              && r.value().isValid()
              && topics.raw().equals(r.value().value().getSourceTopic())) {
            RejectedExample rej = r.value().value();
            if (rej.hasExample()) {
              curator.replayRejected(rej.getExample());
            }
            stats.rejected(
                r.key(), rej.getRejectionsList().stream().map(Rejection::getReason).toList());
            quality.rejected(r.key(), rej);
            n[1]++;
          }
        });
    log.info(
        "curation state rebuilt in {} ms: {} curated, {} rejected, {} retrain requests ({}"
            + " skipped: snapshot unreadable)",
        (System.nanoTime() - start) / 1_000_000,
        n[0],
        n[1],
        n[2],
        n[3]);
  }
}
