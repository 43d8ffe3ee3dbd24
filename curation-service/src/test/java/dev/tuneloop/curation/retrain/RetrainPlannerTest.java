package dev.tuneloop.curation.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.curation.policy.RetrainPolicy;
import dev.tuneloop.proto.v1.JobState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetrainPlannerTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final RetrainPlanner planner = new RetrainPlanner();
  private final RetrainPolicy policy = new RetrainPolicy(true, "", 40, 50, null);

  private void request(String job, long count, Instant at) {
    planner.requested(
        "acme/faq",
        new RetrainPlanner.Request(
            job, "acme/faq", "datasets/acme/faq/snapshots/x/manifest.json", count, at));
  }

  @Test
  void remembersTheLatestPromotedRequestEvenWhenItsEventArrivesAfterLaterRequests() {
    request("job-1", 50, T0);
    request("job-2", 90, T0.plusSeconds(60));
    assertThat(planner.lastPromoted("acme/faq")).isEmpty();
    // A restart replays the requests first, then every job's latest event.
    planner.promoted("job-1");
    assertThat(planner.lastPromoted("acme/faq"))
        .get()
        .extracting(r -> r.jobId())
        .isEqualTo("job-1");
    planner.promoted("job-unknown");
    assertThat(planner.lastPromoted("acme/faq"))
        .get()
        .extracting(r -> r.jobId())
        .isEqualTo("job-1");
    planner.promoted("job-2");
    assertThat(planner.lastPromoted("acme/faq"))
        .get()
        .extracting(r -> r.jobId())
        .isEqualTo("job-2");
    planner.promoted("job-1"); // an older promotion seen late does not move it back
    assertThat(planner.lastPromoted("acme/faq"))
        .get()
        .extracting(r -> r.jobId())
        .isEqualTo("job-2");
  }

  @Test
  void dueOnlyOnceBothMinTotalAndMinNewAreReached() {
    assertThat(planner.due("acme/faq", "acme/faq", policy, 49, T0)).isEmpty();
    assertThat(planner.due("acme/faq", "acme/faq", policy, 50, T0))
        .get()
        .asString()
        .contains("50 new curated examples");
  }

  @Test
  void notDueWhileTheAdaptersJobRunsThenDueAfterItEnds() {
    request("job-1", 50, T0);
    assertThat(planner.due("acme/faq", "acme/faq", policy, 95, T0))
        .as("job not heard of yet")
        .isEmpty();
    planner.jobEvent("job-1", JobState.RUNNING);
    assertThat(planner.due("acme/faq", "acme/faq", policy, 95, T0)).isEmpty();
    planner.jobEvent("job-1", JobState.FAILED);
    assertThat(planner.due("acme/faq", "acme/faq", policy, 89, T0))
        .as("39 new < min-new 40")
        .isEmpty();
    assertThat(planner.due("acme/faq", "acme/faq", policy, 90, T0)).isPresent();
    assertThat(planner.curatedSinceLastRequest("acme/faq", 90)).isEqualTo(40);
  }

  @Test
  void aJobSilentForLongerThanTheJobTimeoutNoLongerBlocksItsAdapter() {
    var timed = new RetrainPlanner(Duration.ofHours(2));
    timed.requested(
        "acme/faq",
        new RetrainPlanner.Request(
            "job-1", "acme/faq", "datasets/acme/faq/snapshots/x/manifest.json", 50, T0));
    assertThat(timed.due("acme/faq", "acme/faq", policy, 95, T0.plus(Duration.ofHours(2))))
        .as("never heard of, but requested only 2 h ago")
        .isEmpty();
    timed.jobEvent("job-1", JobState.RUNNING, T0.plus(Duration.ofHours(1)));
    assertThat(timed.due("acme/faq", "acme/faq", policy, 95, T0.plus(Duration.ofHours(3))))
        .as("last event 2 h ago")
        .isEmpty();
    assertThat(timed.due("acme/faq", "acme/faq", policy, 95, T0.plus(Duration.ofMinutes(181))))
        .as("silent for 2 h 1 min: the trainer lost it")
        .isPresent();
  }

  @Test
  void scheduleFiresWithFewNewExamplesOnceThePeriodElapsed() {
    RetrainPolicy daily = new RetrainPolicy(true, "", 1000, 50, Duration.ofHours(24));
    request("job-1", 60, T0);
    planner.jobEvent("job-1", JobState.SUCCEEDED);
    assertThat(planner.due("acme/faq", "acme/faq", daily, 65, T0.plus(Duration.ofHours(23))))
        .isEmpty();
    assertThat(planner.due("acme/faq", "acme/faq", daily, 65, T0.plus(Duration.ofHours(24))))
        .get()
        .asString()
        .contains("schedule");
    assertThat(planner.due("acme/faq", "acme/faq", daily, 60, T0.plus(Duration.ofHours(48))))
        .as("nothing new")
        .isEmpty();
  }

  @Test
  void disabledPolicyNeverFires() {
    assertThat(
            planner.due("acme/faq", "acme/faq", new RetrainPolicy(false, "", 1, 1, null), 1000, T0))
        .isEmpty();
  }
}
