package dev.tuneloop.curation.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyPropertiesTest {

  @Test
  void datasetOverridesStartFromTheConfiguredDefaults() {
    PolicyBook book =
        PolicyProperties.parse(
            Map.of(
                "defaults.max-seq-len", "256",
                "datasets.acme/support.pii", "reject",
                "datasets.acme/support.retrain.min-new", "10",
                "datasets.acme/support.retrain.schedule", "24h",
                "datasets.acme/support.training.lora-r", "16",
                "datasets.acme/support.training.target-modules", "q_proj, v_proj,down_proj"));
    CurationPolicy support = book.policyFor("acme", "support");
    assertThat(support.maxSeqLen()).isEqualTo(256);
    assertThat(support.pii()).isEqualTo(PiiAction.REJECT);
    assertThat(support.retrain().minNew()).isEqualTo(10);
    assertThat(support.retrain().schedule()).isEqualTo(Duration.ofHours(24));
    assertThat(support.training().loraR()).isEqualTo(16);
    assertThat(support.training().targetModules()).containsExactly("q_proj", "v_proj", "down_proj");
    CurationPolicy other = book.policyFor("acme", "sales");
    assertThat(other.pii()).isEqualTo(PiiAction.REDACT);
    assertThat(other.maxSeqLen()).isEqualTo(256);
    assertThat(other.training().targetModules()).isEmpty();
  }

  @Test
  void unknownKeyIsNamed() {
    assertThatThrownBy(() -> PolicyProperties.parse(Map.of("defaults.max-seqlen", "1")))
        .hasMessageContaining("curation.defaults.max-seqlen is not a known policy property");
  }

  @Test
  void badValueIsNamedWithTheProperty() {
    assertThatThrownBy(
            () -> PolicyProperties.parse(Map.of("datasets.acme/x.near-duplicate-threshold", "1.5")))
        .hasMessageContaining(
            "curation.datasets.acme/x.near-duplicate-threshold = '1.5' is invalid")
        .hasMessageContaining("between 0 and 1");
  }

  @Test
  void detectorKeysAreReadPerDataset() {
    CurationPolicy p =
        PolicyProperties.parse(
                Map.of(
                    "datasets.acme/support.near-duplicate-shingles", "words",
                    "datasets.acme/support.char-shingle-size", "4",
                    "datasets.acme/support.refusal-patterns", "\\bno can do\\b; i refuse[, ]+"))
            .policyFor("acme", "support");
    assertThat(p.shingles()).isEqualTo("words");
    assertThat(p.charShingleSize()).isEqualTo(4);
    assertThat(p.refusalPatterns()).containsExactly("\\bno can do\\b", "i refuse[, ]+");
    assertThat(CurationPolicy.DEFAULTS.shingles()).isEqualTo("chars");
  }

  @Test
  void invalidRefusalPatternIsNamedWithTheProperty() {
    assertThatThrownBy(
            () -> PolicyProperties.parse(Map.of("datasets.acme/x.refusal-patterns", "i (can't")))
        .hasMessageContaining("curation.datasets.acme/x.refusal-patterns = 'i (can't' is invalid")
        .hasMessageContaining("invalid regular expression 'i (can't'");
  }

  @Test
  void missingTokenizerJsonIsNamedWithTheProperty() {
    assertThatThrownBy(
            () ->
                PolicyProperties.parse(
                    Map.of("defaults.tokenizer-json", "/nonexistent/tokenizer.json")))
        .hasMessageContaining("curation.defaults.tokenizer-json")
        .hasMessageContaining("/nonexistent/tokenizer.json, which is not a readable file");
  }

  @Test
  void unknownShingleUnitIsNamed() {
    assertThatThrownBy(
            () -> PolicyProperties.parse(Map.of("defaults.near-duplicate-shingles", "bytes")))
        .hasMessageContaining("near-duplicate-shingles")
        .hasMessageContaining("use chars or words");
  }

  @Test
  void replayWarmStartAndDriftSettingsAreReadPerDatasetWithTheirDefaults() {
    PolicyBook book =
        PolicyProperties.parse(
            Map.of(
                "datasets.acme/support.retrain.replay-share", "0.5",
                "datasets.acme/support.retrain.replay-max", "300",
                "datasets.acme/support.retrain.max-eval-examples", "100",
                "datasets.acme/support.retrain.warm-start", "false",
                "datasets.acme/support.retrain.drift-threshold", "0.2",
                "datasets.acme/support.retrain.drift-min-new", "50"));
    RetrainPolicy support = book.policyFor("acme", "support").retrain();
    assertThat(support.replayShare()).isEqualTo(0.5);
    assertThat(support.replayMax()).isEqualTo(300);
    assertThat(support.maxEvalExamples()).isEqualTo(100);
    assertThat(support.warmStart()).isFalse();
    assertThat(support.driftThreshold()).isEqualTo(0.2);
    assertThat(support.driftMinNew()).isEqualTo(50);
    RetrainPolicy other = book.policyFor("acme", "sales").retrain();
    assertThat(other.replayShare()).isEqualTo(0.25);
    assertThat(other.replayMax()).isEqualTo(5000);
    assertThat(other.maxEvalExamples()).isEqualTo(2000);
    assertThat(other.warmStart()).isTrue();
    assertThat(other.driftThreshold()).isZero();
    assertThat(other.driftMinNew()).isEqualTo(20);
  }

  @Test
  void replayShareAboveOneIsNamedWithTheProperty() {
    assertThatThrownBy(
            () -> PolicyProperties.parse(Map.of("datasets.acme/x.retrain.replay-share", "1.5")))
        .hasMessageContaining("curation.datasets.acme/x.retrain.replay-share = '1.5' is invalid")
        .hasMessageContaining("replay-share is 1.5; it must be between 0 and 1");
  }
}
