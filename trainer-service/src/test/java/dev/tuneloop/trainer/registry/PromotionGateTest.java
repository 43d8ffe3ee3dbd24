package dev.tuneloop.trainer.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.proto.v1.EvalScores;
import dev.tuneloop.proto.v1.PromotionDecision;
import dev.tuneloop.proto.v1.PromotionPolicy;
import org.junit.jupiter.api.Test;

class PromotionGateTest {

  private static final PromotionPolicy DEFAULTS = PromotionConfiguration.defaults().toPolicy();

  private static EvalScores.Builder scores(String version) {
    return EvalScores.newBuilder().setVersion(version);
  }

  private static EvalReport report(
      EvalScores.Builder candidate, EvalScores.Builder production, EvalScores.Builder base) {
    var report = EvalReport.newBuilder().setCandidate(candidate).setBase(base);
    if (production != null) {
      report.setProduction(production);
    }
    return report.build();
  }

  private static PromotionDecision decide(EvalReport report) {
    return PromotionGate.decide(report, DEFAULTS);
  }

  private static PromotionPolicy policy(PromotionPolicy.Builder over) {
    return PromotionPolicies.overlay(DEFAULTS, over.build());
  }

  @Test
  void firstVersionIsPromotedWhenItsEvalLossBeatsTheBaseModel() {
    PromotionDecision d =
        decide(report(scores("v1").setEvalLoss(0.8), null, scores("").setEvalLoss(2.5)));
    assertThat(d.getPromote()).isTrue();
    assertThat(d.getFailedChecksList()).isEmpty();
    assertThat(d.getReason()).contains("0.8000", "base model 2.5000", "ok");
  }

  @Test
  void firstVersionThatDoesNotBeatTheBaseModelFailsBeatsBase() {
    PromotionDecision d =
        decide(report(scores("v1").setEvalLoss(2.5), null, scores("").setEvalLoss(2.5)));
    assertThat(d.getPromote()).isFalse();
    assertThat(d.getFailedChecksList()).containsExactly("beats_base");
    assertThat(d.getReason()).contains("must be lower", "failed");
  }

  @Test
  void firstVersionWithoutAnEvalSplitFallsBackToTheGoldenScore() {
    assertThat(
            decide(report(scores("v1").setGoldenScore(0.4), null, scores("").setGoldenScore(0.4)))
                .getPromote())
        .isTrue(); // at least the base's
    PromotionDecision worse =
        decide(report(scores("v1").setGoldenScore(0.3), null, scores("").setGoldenScore(0.4)));
    assertThat(worse.getPromote()).isFalse();
    assertThat(worse.getFailedChecksList()).containsExactly("beats_base");
    assertThat(worse.getReason()).contains("golden score 0.300 vs base model 0.400");
  }

  @Test
  void firstVersionWithNothingMeasuredIsPromotedAndTheReasonSaysSo() {
    PromotionDecision d = decide(report(scores("v1"), null, scores("")));
    assertThat(d.getPromote()).isTrue();
    assertThat(d.getReason()).contains("nothing could be measured");
  }

  @Test
  void candidateWithinTheEvalLossRegressionLimitIsPromoted() {
    PromotionDecision d =
        decide(
            report(
                scores("v2").setEvalLoss(0.91).setPriorEvalLoss(0.80),
                scores("v1").setEvalLoss(0.88).setPriorEvalLoss(0.80),
                scores("").setEvalLoss(2.5)));
    assertThat(d.getPromote()).as(d.getReason()).isTrue();
    assertThat(d.getReason())
        .contains("eval loss 0.9100 vs production 0.8800 (+3.4%, limit +5.0%): ok")
        .contains("eval loss on production's eval split 0.8000 vs production 0.8000")
        .contains("golden score: not measured");
  }

  @Test
  void candidateOverTheEvalLossLimitFailsEvalLoss() {
    PromotionDecision d =
        decide(report(scores("v2").setEvalLoss(0.93), scores("v1").setEvalLoss(0.88), scores("")));
    assertThat(d.getPromote()).isFalse();
    assertThat(d.getFailedChecksList()).containsExactly("eval_loss");
    assertThat(d.getReason()).contains("(+5.7%, limit +5.0%): failed");
  }

  @Test
  void aRegressionOnProductionsOwnEvalSplitFailsPriorEvalLossEvenWhenTheNewSplitImproves() {
    PromotionDecision d =
        decide(
            report(
                scores("v2").setEvalLoss(0.5).setPriorEvalLoss(1.2),
                scores("v1").setEvalLoss(0.9).setPriorEvalLoss(0.7),
                scores("")));
    assertThat(d.getPromote()).isFalse();
    assertThat(d.getFailedChecksList()).containsExactly("prior_eval_loss");
  }

  @Test
  void theRegressionLimitComesFromThePolicy() {
    EvalReport report =
        report(scores("v2").setEvalLoss(0.93), scores("v1").setEvalLoss(0.88), scores(""));
    assertThat(
            PromotionGate.decide(
                    report, policy(PromotionPolicy.newBuilder().setMaxEvalLossRegression(0.1)))
                .getPromote())
        .isTrue();
    assertThat(
            PromotionGate.decide(
                    report, policy(PromotionPolicy.newBuilder().setMaxEvalLossRegression(0)))
                .getPromote())
        .isFalse();
  }

  @Test
  void aLowerGoldenScoreThanProductionFailsGolden() {
    PromotionDecision d =
        decide(
            report(
                scores("v2").setEvalLoss(0.8).setGoldenScore(0.6),
                scores("v1").setEvalLoss(0.8).setGoldenScore(0.7),
                scores("")));
    assertThat(d.getPromote()).isFalse();
    assertThat(d.getFailedChecksList()).containsExactly("golden");
    assertThat(d.getReason()).contains("golden score 0.600 vs production 0.700 (-0.100");
  }

  @Test
  void minGoldenDeltaAsksForAGain() {
    EvalReport report =
        report(scores("v2").setGoldenScore(0.75), scores("v1").setGoldenScore(0.7), scores(""));
    assertThat(decide(report).getPromote()).isTrue();
    PromotionDecision d =
        PromotionGate.decide(report, policy(PromotionPolicy.newBuilder().setMinGoldenDelta(0.1)));
    assertThat(d.getPromote()).isFalse();
    assertThat(d.getFailedChecksList()).containsExactly("golden");
  }

  @Test
  void driftOverTheLimitFailsDrift() {
    EvalReport report =
        report(
            scores("v2").setEvalLoss(0.8).setDrift(0.6), scores("v1").setEvalLoss(0.8), scores(""));
    assertThat(decide(report).getPromote()).isTrue(); // default max_drift 1 = off
    PromotionDecision d =
        PromotionGate.decide(report, policy(PromotionPolicy.newBuilder().setMaxDrift(0.5)));
    assertThat(d.getPromote()).isFalse();
    assertThat(d.getFailedChecksList()).containsExactly("drift");
    assertThat(d.getReason()).contains("drift 0.600 (limit 0.500): failed");
  }

  @Test
  void everyFailedCheckIsListed() {
    PromotionDecision d =
        PromotionGate.decide(
            report(
                scores("v2").setEvalLoss(1.0).setPriorEvalLoss(1.0).setGoldenScore(0.1).setDrift(1),
                scores("v1").setEvalLoss(0.5).setPriorEvalLoss(0.5).setGoldenScore(0.9),
                scores("")),
            policy(PromotionPolicy.newBuilder().setMaxDrift(0.5)));
    assertThat(d.getFailedChecksList())
        .containsExactly("eval_loss", "prior_eval_loss", "golden", "drift");
  }

  @Test
  void manualModeNeverPromotesButStillReportsTheChecks() {
    PromotionDecision d =
        PromotionGate.decide(
            report(scores("v1").setEvalLoss(0.8), null, scores("").setEvalLoss(2.5)),
            policy(PromotionPolicy.newBuilder().setMode("manual")));
    assertThat(d.getPromote()).isFalse();
    assertThat(d.getFailedChecksList()).containsExactly("manual");
    assertThat(d.getReason()).startsWith("mode manual").contains("base model 2.5000");
  }
}
