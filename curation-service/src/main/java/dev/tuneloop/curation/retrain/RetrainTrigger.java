package dev.tuneloop.curation.retrain;

import com.google.protobuf.MessageLite;
import dev.tuneloop.curation.policy.CurationPolicy;
import dev.tuneloop.curation.policy.PolicyBook;
import dev.tuneloop.curation.policy.RetrainPolicy;
import dev.tuneloop.curation.stats.StatsBook;
import dev.tuneloop.platform.dataset.DatasetSnapshots;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks for retraining when a dataset's retrain policy says so: cuts a snapshot of its curated
 * examples (after the first, the new ones plus replay and eval records, see {@link
 * SnapshotCutter}), sends one {@code TrainingJobSpec} to training.requests in a transaction of its
 * own and records the request with the {@link RetrainPlanner} and the {@link DriftBook}. One per
 * curation session, on the session's transactional producer (so it is fenced with the session).
 */
public final class RetrainTrigger {

  private static final Logger log = LoggerFactory.getLogger(RetrainTrigger.class);

  private final PolicyBook policies;
  private final Function<CurationPolicy, String> templateName;
  private final StatsBook stats;
  private final RetrainPlanner planner;
  private final DriftBook drift;
  private final SnapshotCutter cutter;
  private final Producer<String, MessageLite> producer;
  private final String requestsTopic;
  private final Duration scheduleCheckInterval;
  private Instant lastScheduleCheck = Instant.EPOCH;

  /**
   * @param templateName the training chat template a policy resolves to (recorded in the request)
   * @param scheduleCheckInterval how often every dataset, not only those with new examples, is
   *     checked (for {@code retrain.schedule})
   */
  public RetrainTrigger(
      PolicyBook policies,
      Function<CurationPolicy, String> templateName,
      StatsBook stats,
      RetrainPlanner planner,
      DriftBook drift,
      SnapshotCutter cutter,
      Producer<String, MessageLite> producer,
      String requestsTopic,
      Duration scheduleCheckInterval) {
    this.policies = policies;
    this.templateName = templateName;
    this.stats = stats;
    this.planner = planner;
    this.drift = drift;
    this.cutter = cutter;
    this.producer = producer;
    this.requestsTopic = requestsTopic;
    this.scheduleCheckInterval = scheduleCheckInterval;
  }

  /**
   * Checks the datasets with new curated records, and (every scheduleCheckInterval) every dataset
   * for schedules.
   *
   * @param touched dataset keys that got curated records in the batch just committed
   * @param curatedCommitted where the committed curated records end, per partition: a snapshot
   *     waits until it can read them
   */
  public void check(Set<String> touched, Map<Integer, Long> curatedCommitted, Instant now) {
    Set<String> candidates = new LinkedHashSet<>(touched);
    if (!now.isBefore(lastScheduleCheck.plus(scheduleCheckInterval))) {
      candidates.addAll(stats.datasetKeys());
      lastScheduleCheck = now;
    }
    for (String key : candidates) {
      String[] td = Topics.splitKey(key);
      CurationPolicy policy = policies.policyFor(td[0], td[1]);
      String adapter = policy.retrain().adapterFor(td[1]);
      String adapterKey = Topics.adapterKey(td[0], adapter);
      Optional<String> why =
          planner.due(key, adapterKey, policy.retrain(), stats.curatedCount(key), now, drift);
      if (why.isPresent()) {
        request(td[0], td[1], adapter, adapterKey, policy, why.get(), curatedCommitted, now);
      }
    }
  }

  private void request(
      String tenant,
      String dataset,
      String adapter,
      String adapterKey,
      CurationPolicy policy,
      String why,
      Map<Integer, Long> curatedCommitted,
      Instant now) {
    String datasetKey = Topics.datasetKey(tenant, dataset);
    RetrainPolicy retrain = policy.retrain();
    Map<Integer, Long> servingEnd =
        planner.lastPromoted(datasetKey).map(RetrainPlanner.Request::endOffsets).orElse(null);
    SnapshotCutter.Since since =
        planner
            .lastRequest(datasetKey)
            .map(
                last -> new SnapshotCutter.Since(last.manifestKey(), last.endOffsets(), servingEnd))
            .orElse(null);
    // The fraction as the trainer will read it from the request (a float), so both agree on
    // every id at the split's edge.
    double evalFraction = (float) policy.training().evalFraction();
    SnapshotManifest manifest =
        cutter.cut(
            tenant,
            dataset,
            curatedCommitted,
            since,
            new SnapshotCutter.Replay(
                retrain.replayShare(),
                retrain.replayMax(),
                retrain.maxEvalExamples(),
                evalFraction));
    String manifestKey = DatasetSnapshots.manifestKey(tenant, dataset, manifest.snapshotId());
    TrainingJobSpec spec =
        TrainingRequests.spec(
            tenant,
            adapter,
            manifestKey,
            manifest.snapshotId(),
            policy,
            templateName.apply(policy),
            now);
    producer.beginTransaction();
    producer.send(new ProducerRecord<>(requestsTopic, adapterKey, spec));
    producer.commitTransaction();
    planner.requested(
        datasetKey,
        new RetrainPlanner.Request(
            spec.getJobId(),
            adapterKey,
            manifestKey,
            curatedAtRequest(manifest),
            now,
            manifest.source().endOffsets()));
    drift.requested(datasetKey);
    SnapshotManifest.Composition c = manifest.composition();
    log.info(
        "requested training of {} on snapshot {} ({} examples: {} new, {} replayed, {} eval): {}",
        adapterKey,
        manifest.snapshotId(),
        manifest.count(),
        c == null ? manifest.count() : c.newRecords(),
        c == null ? 0 : c.replayRecords(),
        c == null ? 0 : c.evalRecords(),
        why);
  }

  /**
   * The dataset's curated examples up to the snapshot's end (what "new since the last request"
   * counts from); a snapshot without a composition holds all of them.
   */
  public static long curatedAtRequest(SnapshotManifest manifest) {
    return manifest.composition() == null
        ? manifest.count()
        : manifest.composition().datasetRecords();
  }
}
