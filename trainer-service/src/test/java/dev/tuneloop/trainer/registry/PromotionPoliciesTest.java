package dev.tuneloop.trainer.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.PromotionPolicy;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

@WithInfra
class PromotionPoliciesTest {

  @Test
  void effectiveIsTheDefaultsOverlaidWithTheDatasetsStoredPolicy(Infra infra) {
    ObjectStore store = infra.objectStore();
    var policies =
        new PromotionPolicies(store, new PromotionConfiguration("auto", 0.05, 0, 1).toPolicy());
    assertThat(policies.effective("acme", "support"))
        .isEqualTo(
            PromotionPolicy.newBuilder()
                .setMode("auto")
                .setMaxEvalLossRegression(0.05)
                .setMinGoldenDelta(0)
                .setMaxDrift(1)
                .build());

    PromotionPolicy effective =
        policies.set(
            "acme",
            "support",
            PromotionPolicy.newBuilder().setMode("manual").setMaxDrift(0.25).build());

    assertThat(effective.getMode()).isEqualTo("manual");
    assertThat(effective.getMaxDrift()).isEqualTo(0.25);
    assertThat(effective.getMaxEvalLossRegression()).isEqualTo(0.05); // the default stays
    assertThat(policies.effective("acme", "support")).isEqualTo(effective);
    assertThat(policies.effective("acme", "other").getMode()).isEqualTo("auto");
    assertThat(
            new String(
                store.get("datasets/acme/support/promotion-policy.json"), StandardCharsets.UTF_8))
        .contains("\"max_drift\"")
        .doesNotContain("max_eval_loss_regression"); // unset stays unset: defaults may change
  }

  @Test
  void anExplicitZeroIsKeptNotTakenForUnset(Infra infra) {
    var policies =
        new PromotionPolicies(infra.objectStore(), PromotionConfiguration.defaults().toPolicy());
    policies.set("acme", "zero", PromotionPolicy.newBuilder().setMaxEvalLossRegression(0).build());
    assertThat(policies.effective("acme", "zero").getMaxEvalLossRegression()).isZero();
  }

  @Test
  void badValuesAreRefusedNamingEachField(Infra infra) {
    var policies =
        new PromotionPolicies(infra.objectStore(), PromotionConfiguration.defaults().toPolicy());
    assertThatThrownBy(
            () ->
                policies.set(
                    "acme",
                    "bad",
                    PromotionPolicy.newBuilder()
                        .setMode("sometimes")
                        .setMaxEvalLossRegression(-1)
                        .setMaxDrift(2)
                        .build()))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("mode: must be \"auto\" or \"manual\", got \"sometimes\"")
        .hasMessageContaining("max_eval_loss_regression: must be in [0.0, 10.0]")
        .hasMessageContaining("max_drift: must be in [0.0, 1.0]");
    assertThat(infra.objectStore().exists("datasets/acme/bad/promotion-policy.json")).isFalse();
  }

  @Test
  void badDefaultsNameTheSetting() {
    assertThatThrownBy(() -> new PromotionConfiguration("never", 0.05, 0, 1).toPolicy())
        .hasMessageContaining("trainer.promotion.mode");
  }
}
