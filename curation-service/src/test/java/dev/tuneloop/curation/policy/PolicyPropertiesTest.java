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
}
