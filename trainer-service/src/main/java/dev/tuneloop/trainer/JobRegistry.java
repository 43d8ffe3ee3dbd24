package dev.tuneloop.trainer;

import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every job this service knows of, with its spec (when seen) and latest event, fed by the service's
 * own events and by the training.events topic. A terminal state sticks: a late RUNNING event never
 * revives a finished job; and a job never goes back to QUEUED once it ran.
 */
public final class JobRegistry {

  private final Map<String, JobStatus> jobs = new ConcurrentHashMap<>();
  private final Map<String, List<Consumer<TrainingJobEvent>>> watchers = new ConcurrentHashMap<>();
  private final List<Consumer<TrainingJobEvent>> listeners = new CopyOnWriteArrayList<>();

  public static boolean isTerminal(JobState state) {
    return state == JobState.SUCCEEDED || state == JobState.FAILED || state == JobState.CANCELLED;
  }

  public void remember(TrainingJobSpec spec) {
    jobs.merge(
        spec.getJobId(),
        JobStatus.newBuilder().setSpec(spec).build(),
        (old, fresh) -> old.toBuilder().setSpec(spec).build());
  }

  /**
   * Records an event; returns false (and changes nothing) when the job is already terminal or has
   * it. The spec an event carries becomes the job's spec (so a restarted trainer knows it from the
   * topic alone); the event is kept, and passed on, without it.
   */
  public boolean record(TrainingJobEvent published) {
    TrainingJobEvent event = published.toBuilder().clearSpec().build();
    boolean[] applied = {false};
    jobs.compute(
        event.getJobId(),
        (id, old) -> {
          if (old != null
              && old.hasLatest()
              && (isTerminal(old.getLatest().getState())
                  || old.getLatest().equals(event)
                  || (event.getState() == JobState.QUEUED
                      && old.getLatest().getState() != JobState.QUEUED))) {
            return old; // finished, this very event came back, or a late QUEUED: never go back
          }
          applied[0] = true;
          JobStatus.Builder status = old == null ? JobStatus.newBuilder() : old.toBuilder();
          if (published.hasSpec()) {
            status.setSpec(published.getSpec());
          }
          return status.setLatest(event).build();
        });
    if (applied[0]) {
      listeners.forEach(listener -> listener.accept(event));
      for (Consumer<TrainingJobEvent> watcher :
          watchers.getOrDefault(event.getJobId(), List.of())) {
        watcher.accept(event);
      }
    }
    return applied[0];
  }

  public Optional<JobStatus> get(String jobId) {
    return Optional.ofNullable(jobs.get(jobId));
  }

  public boolean isTerminal(String jobId) {
    JobStatus status = jobs.get(jobId);
    return status != null && status.hasLatest() && isTerminal(status.getLatest().getState());
  }

  /** Jobs of a tenant (all when empty) in the given states (all when empty), newest event first. */
  public List<JobStatus> list(String tenant, List<JobState> states) {
    var out = new ArrayList<JobStatus>();
    for (JobStatus status : jobs.values()) {
      String jobTenant =
          status.hasSpec() ? status.getSpec().getTenant() : status.getLatest().getTenant();
      if ((tenant.isEmpty() || tenant.equals(jobTenant))
          && (states.isEmpty() || states.contains(status.getLatest().getState()))) {
        out.add(status);
      }
    }
    out.sort(
        Comparator.comparingLong((JobStatus s) -> s.getLatest().getAt().getSeconds()).reversed());
    return out;
  }

  /** Calls {@code listener} with every event recorded from now on, of any job. */
  public void onEvent(Consumer<TrainingJobEvent> listener) {
    listeners.add(listener);
  }

  /**
   * Calls {@code watcher} with each event recorded for the job from now on; returns the handle to
   * remove it.
   */
  public Runnable watch(String jobId, Consumer<TrainingJobEvent> watcher) {
    watchers.computeIfAbsent(jobId, id -> new CopyOnWriteArrayList<>()).add(watcher);
    return () -> watchers.getOrDefault(jobId, new ArrayList<>()).remove(watcher);
  }
}
