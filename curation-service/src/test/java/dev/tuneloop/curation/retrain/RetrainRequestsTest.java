package dev.tuneloop.curation.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.curation.policy.CurationPolicy;
import dev.tuneloop.curation.policy.PolicyProperties;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the retrain settings put into the training request. */
class RetrainRequestsTest {

  private static TrainingJobSpec spec(Map<String, String> properties) {
    CurationPolicy policy = PolicyProperties.parse(properties).policyFor("acme", "faq");
    return TrainingRequests.spec(
        "acme",
        "faq",
        "datasets/acme/faq/snapshots/0123456789abcdef/manifest.json",
        "0123456789abcdef",
        policy,
        "llama2",
        Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void requestsAskForAWarmStartFromProductionByDefault() {
    assertThat(spec(Map.of()).getInitFrom()).isEqualTo("production");
    assertThat(spec(Map.of("datasets.acme/faq.retrain.warm-start", "false")).getInitFrom())
        .as("retrain.warm-start false: a fresh adapter")
        .isEmpty();
  }

  @Test
  void requestsCarryTheEvalFractionTheSnapshotsEvalSplitWasCutFor() {
    TrainingJobSpec defaults = spec(Map.of());
    assertThat(defaults.hasEvalFraction()).isTrue();
    assertThat(defaults.getEvalFraction()).isEqualTo(0.1f);
    assertThat(spec(Map.of("defaults.training.eval-fraction", "0.2")).getEvalFraction())
        .isEqualTo(0.2f);
  }
}
