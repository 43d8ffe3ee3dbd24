package dev.tuneloop.curation.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tuneloop.curation.policy.RetrainPolicy;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.Role;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The prompt-drift statistic and the drift trigger, without Kafka. */
class DriftTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void jensenShannonDivergenceMatchesHandComputedValues() {
    // Disjoint supports: 1 bit.
    assertThat(PromptBigrams.jensenShannon(new long[] {1, 0}, new long[] {0, 1}))
        .isCloseTo(1.0, within(1e-12));
    // P = (1/2, 1/2), Q = (1, 0), M = (3/4, 1/4):
    // KL(P||M) = 1/2 log2(2/3) + 1/2 log2(2) = 0.2075187..., KL(Q||M) = log2(4/3) = 0.4150375...
    // JSD = (0.2075187 + 0.4150375) / 2 = 0.3112781
    assertThat(PromptBigrams.jensenShannon(new long[] {5, 5}, new long[] {3, 0}))
        .isCloseTo(0.3112781, within(1e-7));
    // P = (1/4, 3/4), Q = (3/4, 1/4), M = (1/2, 1/2):
    // KL(P||M) = 1/4 log2(1/2) + 3/4 log2(3/2) = -0.25 + 0.4387219 = 0.1887219 = KL(Q||M)
    assertThat(PromptBigrams.jensenShannon(new long[] {1, 3}, new long[] {3, 1}))
        .isCloseTo(0.1887219, within(1e-7));
    // Counts, not shares, are given: the same distribution at any scale is 0.
    assertThat(PromptBigrams.jensenShannon(new long[] {2, 6, 0}, new long[] {1, 3, 0}))
        .isCloseTo(0.0, within(1e-12));
  }

  @Test
  void bigramsOfAPromptIncludeItsStartAndEnd() {
    PromptBigrams h = new PromptBigrams();
    h.add("Reset my password!");
    assertThat(h.total()).as("^ reset, reset my, my password, password $").isEqualTo(4);
    h.add("Hi");
    assertThat(h.total()).isEqualTo(6);
  }

  @Test
  void moreOfTheSameIsNoDriftAndAShiftedDistributionIs() {
    DriftPrompts prompts = new DriftPrompts(5);
    DriftBook same = new DriftBook();
    DriftBook shifted = new DriftBook();
    for (int i = 0; i < 200; i++) {
      CuratedExample c = curated(prompts.support());
      same.curated("acme/faq", c, true);
      shifted.curated("acme/faq", c, true);
    }
    for (int i = 0; i < 40; i++) {
      same.curated("acme/faq", curated(prompts.support()), false);
      shifted.curated("acme/faq", curated(prompts.cooking()), false);
    }
    DriftBook.Drift noDrift = same.drift("acme/faq").orElseThrow();
    DriftBook.Drift drift = shifted.drift("acme/faq").orElseThrow();
    assertThat(noDrift.excess()).as("%s", noDrift).isLessThan(0.1);
    assertThat(drift.excess()).as("%s", drift).isGreaterThan(0.4);
    assertThat(drift.divergence()).isGreaterThan(0.8);
    // Deterministic: the sampling estimate is seeded, so a rebuilt book gives the same numbers.
    assertThat(shifted.drift("acme/faq")).contains(drift);
  }

  @Test
  void aRequestMakesTheNewWindowPartOfWhatWasTrainedOn() {
    DriftBook book = new DriftBook();
    DriftPrompts prompts = new DriftPrompts(6);
    book.curated("acme/faq", curated(prompts.support()), true);
    book.curated("acme/faq", curated(prompts.cooking()), false);
    long before = book.drift("acme/faq").orElseThrow().trainedBigrams();
    book.requested("acme/faq");
    assertThat(book.drift("acme/faq")).as("nothing new since the request").isEmpty();
    book.curated("acme/faq", curated(prompts.cooking()), false);
    assertThat(book.drift("acme/faq").orElseThrow().trainedBigrams()).isGreaterThan(before);
  }

  @Test
  void driftTriggerNeedsTheThresholdTheMinimumOfNewExamplesAndAnEarlierRequest() {
    RetrainPolicy policy =
        new RetrainPolicy(true, "", 1000, 50, null, 0.25, 5000, 2000, true, 0.3, 20);
    DriftPrompts prompts = new DriftPrompts(7);
    DriftBook book = new DriftBook();
    RetrainPlanner planner = new RetrainPlanner();
    for (int i = 0; i < 200; i++) {
      book.curated("acme/faq", curated(prompts.support()), true);
    }
    for (int i = 0; i < 19; i++) {
      book.curated("acme/faq", curated(prompts.cooking()), false);
    }
    assertThat(planner.due("acme/faq", "acme/faq", policy, 219, T0, book))
        .as("no earlier request: the first snapshot comes from min-new")
        .isEmpty();
    planner.requested(
        "acme/faq",
        new RetrainPlanner.Request("job-1", "acme/faq", "m", 200, T0.minus(Duration.ofHours(1))));
    planner.jobEvent("job-1", JobState.SUCCEEDED);
    assertThat(planner.due("acme/faq", "acme/faq", policy, 219, T0, book))
        .as("19 new < drift-min-new 20")
        .isEmpty();
    book.curated("acme/faq", curated(prompts.cooking()), false);
    assertThat(planner.due("acme/faq", "acme/faq", policy, 220, T0, book))
        .get()
        .asString()
        .startsWith("prompt drift: Jensen-Shannon divergence 0.")
        .contains("of the 20 new curated examples")
        .contains("> drift-threshold 0.3");
    RetrainPolicy off = new RetrainPolicy(true, "", 1000, 50, null);
    assertThat(planner.due("acme/faq", "acme/faq", off, 220, T0, book))
        .as("drift-threshold 0 = off")
        .isEmpty();
  }

  static CuratedExample curated(String prompt) {
    return CuratedExample.newBuilder()
        .addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent(prompt))
        .addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_ASSISTANT).setContent("Sure."))
        .build();
  }
}
