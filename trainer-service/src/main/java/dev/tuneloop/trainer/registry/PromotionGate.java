package dev.tuneloop.trainer.registry;

import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.proto.v1.EvalScores;
import dev.tuneloop.proto.v1.PromotionDecision;
import dev.tuneloop.proto.v1.PromotionPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether an evaluated version becomes production: a pure function of its {@link EvalReport} and
 * the effective {@link PromotionPolicy}.
 *
 * <ul>
 *   <li>Without a production version the candidate must beat the base model: a lower eval loss;
 *       with no eval split, a golden score at least the base's; with neither, it is promoted as the
 *       first version and the reason says nothing could be measured.
 *   <li>With one, every measured check must pass: eval loss and prior eval loss (on production's
 *       own eval split) at most production's × (1 + max_eval_loss_regression), golden score minus
 *       production's at least min_golden_delta. A check not measured on both sides passes and says
 *       so.
 *   <li>Always: drift at most max_drift, when measured.
 *   <li>Mode manual never promotes (failed check {@code manual}); the reason still gives every
 *       check, so an operator sees what the gate would have done.
 * </ul>
 */
public final class PromotionGate {

  private PromotionGate() {}

  public static PromotionDecision decide(EvalReport report, PromotionPolicy policy) {
    List<String> reasons = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    EvalScores candidate = report.getCandidate();
    boolean measured;
    if (report.hasProduction()) {
      EvalScores production = report.getProduction();
      double limit = policy.getMaxEvalLossRegression();
      boolean loss =
          lossCheck(
              "eval_loss",
              "eval loss",
              candidate.hasEvalLoss(),
              candidate.getEvalLoss(),
              production.hasEvalLoss(),
              production.getEvalLoss(),
              limit,
              reasons,
              failed);
      boolean prior =
          lossCheck(
              "prior_eval_loss",
              "eval loss on production's eval split",
              candidate.hasPriorEvalLoss(),
              candidate.getPriorEvalLoss(),
              production.hasPriorEvalLoss(),
              production.getPriorEvalLoss(),
              limit,
              reasons,
              failed);
      boolean golden = goldenCheck(candidate, production, policy, reasons, failed);
      measured = loss || prior || golden;
    } else {
      measured = beatsBase(candidate, report.getBase(), reasons, failed);
    }
    if (candidate.hasDrift()) {
      boolean ok = candidate.getDrift() <= policy.getMaxDrift();
      reasons.add(
          String.format(
              Locale.ROOT,
              "drift %.3f (limit %.3f): %s",
              candidate.getDrift(),
              policy.getMaxDrift(),
              ok ? "ok" : "failed"));
      if (!ok) {
        failed.add("drift");
      }
      measured = true;
    }
    if (!measured) {
      reasons.add(
          "nothing could be measured (no eval split, no golden prompts, no probes): promoted"
              + " without evidence");
    }
    if (PromotionPolicies.MANUAL.equals(policy.getMode())) {
      failed.addFirst("manual");
      reasons.addFirst("mode manual: only a Promote call moves production");
    }
    return PromotionDecision.newBuilder()
        .setPromote(failed.isEmpty())
        .setReason(String.join("; ", reasons))
        .addAllFailedChecks(failed)
        .build();
  }

  /** Returns whether the check could be measured. */
  private static boolean lossCheck(
      String check,
      String words,
      boolean hasCandidate,
      double candidate,
      boolean hasProduction,
      double production,
      double maxRegression,
      List<String> reasons,
      List<String> failed) {
    if (!hasCandidate || !hasProduction) {
      reasons.add(words + ": not measured");
      return false;
    }
    boolean ok = candidate <= production * (1 + maxRegression);
    double change = production == 0 ? 0 : (candidate - production) / production * 100;
    reasons.add(
        String.format(
            Locale.ROOT,
            "%s %.4f vs production %.4f (%+.1f%%, limit %+.1f%%): %s",
            words,
            candidate,
            production,
            change,
            maxRegression * 100,
            ok ? "ok" : "failed"));
    if (!ok) {
      failed.add(check);
    }
    return true;
  }

  private static boolean goldenCheck(
      EvalScores candidate,
      EvalScores production,
      PromotionPolicy policy,
      List<String> reasons,
      List<String> failed) {
    if (!candidate.hasGoldenScore() || !production.hasGoldenScore()) {
      reasons.add("golden score: not measured (no golden prompts)");
      return false;
    }
    double delta = candidate.getGoldenScore() - production.getGoldenScore();
    boolean ok = delta >= policy.getMinGoldenDelta();
    reasons.add(
        String.format(
            Locale.ROOT,
            "golden score %.3f vs production %.3f (%+.3f, at least %+.3f): %s",
            candidate.getGoldenScore(),
            production.getGoldenScore(),
            delta,
            policy.getMinGoldenDelta(),
            ok ? "ok" : "failed"));
    if (!ok) {
      failed.add("golden");
    }
    return true;
  }

  /** The first version: it must do better than no adapter at all. */
  private static boolean beatsBase(
      EvalScores candidate, EvalScores base, List<String> reasons, List<String> failed) {
    boolean ok;
    if (candidate.hasEvalLoss() && base.hasEvalLoss()) {
      ok = candidate.getEvalLoss() < base.getEvalLoss();
      reasons.add(
          String.format(
              Locale.ROOT,
              "no production version; eval loss %.4f vs base model %.4f (must be lower): %s",
              candidate.getEvalLoss(),
              base.getEvalLoss(),
              ok ? "ok" : "failed"));
    } else if (candidate.hasGoldenScore() && base.hasGoldenScore()) {
      ok = candidate.getGoldenScore() >= base.getGoldenScore();
      reasons.add(
          String.format(
              Locale.ROOT,
              "no production version and no eval split; golden score %.3f vs base model %.3f"
                  + " (must be at least the base's): %s",
              candidate.getGoldenScore(),
              base.getGoldenScore(),
              ok ? "ok" : "failed"));
    } else {
      reasons.add("no production version; eval loss and golden score vs base model: not measured");
      return false;
    }
    if (!ok) {
      failed.add("beats_base");
    }
    return true;
  }
}
