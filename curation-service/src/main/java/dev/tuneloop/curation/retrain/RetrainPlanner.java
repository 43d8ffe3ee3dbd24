package dev.tuneloop.curation.retrain;

import dev.tuneloop.curation.policy.RetrainPolicy;
import dev.tuneloop.proto.v1.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Decides when a dataset asks for training, and remembers what it asked: per dataset the last
 * request (job, snapshot, curated count at that moment, time), per job its latest state. An adapter
 * whose last job has not reached a terminal state gets no second request, unless nothing was heard
 * of that job (no request, no event) for the job timeout: a job the trainer lost must not block its
 * adapter forever. Rebuilt from training.requests and training.events after a restart.
 */
public final class RetrainPlanner {

  /**
   * Identifies retrain requests written by curation (others, e.g. a user's SubmitJob, are not ours
   * to count).
   */
  public static final String REQUESTED_BY = "curation-service/retrain-policy";

  /**
   * One request as sent. {@code adapterKey} is "{tenant}/{adapter}"; {@code curatedAtRequest} the
   * dataset's curated examples up to the snapshot's end; {@code endOffsets} where on
   * examples.curated its snapshot ended (the next retrain snapshot's "new" starts there).
   */
  public record Request(
      String jobId,
      String adapterKey,
      String manifestKey,
      long curatedAtRequest,
      Instant at,
      Map<Integer, Long> endOffsets) {
    public Request {
      endOffsets = Map.copyOf(endOffsets);
    }

    public Request(
        String jobId, String adapterKey, String manifestKey, long curatedAtRequest, Instant at) {
      this(jobId, adapterKey, manifestKey, curatedAtRequest, at, Map.of());
    }
  }

  /** Requests remembered by job id, for matching a job's outcome to its snapshot. */
  private static final int MAX_REMEMBERED_JOBS = 10_000;

  private final Map<String, Request> lastByDataset = new HashMap<>();
  private final Map<String, Request> lastPromotedByDataset = new HashMap<>();
  private final Map<String, String> datasetByJob = new HashMap<>();
  private final Map<String, Request> requestByJob =
      new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Request> eldest) {
          return size() > MAX_REMEMBERED_JOBS;
        }
      };
  private final Map<String, Request> lastByAdapter = new HashMap<>();
  private final Map<String, JobState> jobStates = new HashMap<>();
  private final Map<String, Instant> jobHeardAt = new HashMap<>();
  private final Duration jobTimeout;

  /** No job timeout: a job blocks its adapter until it is terminal. */
  public RetrainPlanner() {
    this(Duration.ofDays(365_000));
  }

  /**
   * @param jobTimeout how long a job may stay silent (no event) before it stops blocking its
   *     adapter ({@code curation.job-timeout})
   */
  public RetrainPlanner(Duration jobTimeout) {
    this.jobTimeout = jobTimeout;
  }

  public synchronized void requested(String datasetKey, Request request) {
    lastByDataset.put(datasetKey, request);
    lastByAdapter.put(request.adapterKey(), request);
    requestByJob.put(request.jobId(), request);
    datasetByJob.put(request.jobId(), datasetKey);
    if (datasetByJob.size() > MAX_REMEMBERED_JOBS) {
      datasetByJob.keySet().retainAll(requestByJob.keySet());
    }
  }

  /**
   * A job of ours succeeded and the promotion gate made its version production: its snapshot is now
   * what the serving version learnt from, so later retrains replay from it (and not from data whose
   * candidate the gate refused).
   */
  public synchronized void promoted(String jobId) {
    Request request = requestByJob.get(jobId);
    String dataset = datasetByJob.get(jobId);
    if (request != null && dataset != null) {
      Request earlier = lastPromotedByDataset.get(dataset);
      if (earlier == null || !earlier.at().isAfter(request.at())) {
        lastPromotedByDataset.put(dataset, request);
      }
    }
  }

  /** The latest request whose version the gate promoted, if any. */
  public synchronized Optional<Request> lastPromoted(String datasetKey) {
    return Optional.ofNullable(lastPromotedByDataset.get(datasetKey));
  }

  public synchronized void jobEvent(String jobId, JobState state) {
    jobStates.put(jobId, state);
  }

  /** An event of the job, at the time it was sent. */
  public synchronized void jobEvent(String jobId, JobState state, Instant at) {
    jobStates.put(jobId, state);
    jobHeardAt.merge(jobId, at, (a, b) -> a.isAfter(b) ? a : b);
  }

  public synchronized Optional<Request> lastRequest(String datasetKey) {
    return Optional.ofNullable(lastByDataset.get(datasetKey));
  }

  public synchronized long curatedSinceLastRequest(String datasetKey, long totalCurated) {
    Request last = lastByDataset.get(datasetKey);
    return last == null ? totalCurated : Math.max(0, totalCurated - last.curatedAtRequest());
  }

  /**
   * Whether the adapter's latest requested job is still queued or running (or not heard of yet),
   * and was heard of (requested, or an event) within the job timeout before {@code now}.
   */
  public synchronized boolean busy(String adapterKey, Instant now) {
    Request last = lastByAdapter.get(adapterKey);
    if (last == null) {
      return false;
    }
    JobState state = jobStates.get(last.jobId());
    boolean open =
        state == null
            || state == JobState.QUEUED
            || state == JobState.RUNNING
            || state == JobState.JOB_STATE_UNSPECIFIED;
    Instant heard = jobHeardAt.getOrDefault(last.jobId(), last.at());
    if (heard.isBefore(last.at())) {
      heard = last.at();
    }
    return open && !now.isAfter(heard.plus(jobTimeout));
  }

  /** Why the dataset should train now, or empty (without the drift trigger). */
  public Optional<String> due(
      String datasetKey, String adapterKey, RetrainPolicy policy, long totalCurated, Instant now) {
    return due(datasetKey, adapterKey, policy, totalCurated, now, null);
  }

  /**
   * Why the dataset should train now, or empty: min-new, then the schedule, then (with {@code
   * drift} and a {@code drift-threshold}) prompt drift since the last request.
   */
  public synchronized Optional<String> due(
      String datasetKey,
      String adapterKey,
      RetrainPolicy policy,
      long totalCurated,
      Instant now,
      DriftBook drift) {
    if (!policy.enabled() || totalCurated < policy.minTotal() || busy(adapterKey, now)) {
      return Optional.empty();
    }
    long fresh = curatedSinceLastRequest(datasetKey, totalCurated);
    if (fresh >= policy.minNew()) {
      return Optional.of(
          fresh
              + " new curated examples (min-new "
              + policy.minNew()
              + "), "
              + totalCurated
              + " in all");
    }
    Request last = lastByDataset.get(datasetKey);
    if (policy.schedule() != null
        && fresh > 0
        && (last == null || !last.at().plus(policy.schedule()).isAfter(now))) {
      return Optional.of(
          "schedule " + policy.schedule() + " elapsed with " + fresh + " new curated examples");
    }
    if (drift != null
        && policy.driftThreshold() > 0
        && last != null
        && fresh >= policy.driftMinNew()) {
      Optional<DriftBook.Drift> d = drift.drift(datasetKey);
      if (d.isPresent() && d.get().excess() > policy.driftThreshold()) {
        return Optional.of(
            String.format(
                Locale.ROOT,
                "prompt drift: Jensen-Shannon divergence %.3f of the %d new curated examples' prompt"
                    + " bigrams from those trained on (%.3f from sampling alone; %.3f beyond it >"
                    + " drift-threshold %s)",
                d.get().divergence(),
                fresh,
                d.get().sampling(),
                d.get().excess(),
                policy.driftThreshold()));
      }
    }
    return Optional.empty();
  }

  public synchronized void clear() {
    lastByDataset.clear();
    lastByAdapter.clear();
    lastPromotedByDataset.clear();
    requestByJob.clear();
    datasetByJob.clear();
  }
}
