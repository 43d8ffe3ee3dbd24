package dev.tuneloop.trainer.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Examples after the max_seq_len policy, with what was left out and why, and the train/eval split.
 *
 * @param warnings things the user should know: dropped or truncated examples, a small dataset
 */
public record PreparedData(
    List<SupervisedSequence> train, List<SupervisedSequence> eval, List<String> warnings) {

  /** Fewer training examples than this gets the overfitting warning. */
  public static final int SMALL_DATASET = 300;

  public PreparedData {
    train = List.copyOf(train);
    eval = List.copyOf(eval);
    warnings = List.copyOf(warnings);
  }

  /**
   * Applies the truncation policy to both sets and, when no explicit eval set is given, holds out
   * ceil(eval_fraction × n) examples chosen by the seed (at least one when the fraction is
   * positive).
   *
   * @param explicitEval the eval set, or an empty list to split by eval_fraction
   */
  public static PreparedData of(
      List<SupervisedSequence> examples,
      List<SupervisedSequence> explicitEval,
      TrainingConfig config) {
    var warnings = new ArrayList<String>();
    List<SupervisedSequence> all = fit(examples, config, warnings, "training");
    List<SupervisedSequence> train = all;
    List<SupervisedSequence> eval = fit(explicitEval, config, warnings, "evaluation");
    if (explicitEval.isEmpty() && config.evalFraction() > 0 && all.size() >= 2) {
      // The fraction arrives as a float (0.1f is 0.100000001): round before the ceiling so 10% of
      // 40 is 4.
      int evalCount =
          (int) Math.max(1, Math.ceil(Math.round(config.evalFraction() * all.size() * 1e6) / 1e6));
      int[] order = DataOrder.permutation(all.size(), config.seed(), -1);
      int[] evalIndexes = Arrays.copyOf(order, evalCount);
      Arrays.sort(evalIndexes);
      eval = new ArrayList<>();
      train = new ArrayList<>();
      for (int i = 0, e = 0; i < all.size(); i++) {
        if (e < evalIndexes.length && evalIndexes[e] == i) {
          eval.add(all.get(i));
          e++;
        } else {
          train.add(all.get(i));
        }
      }
    }
    if (train.isEmpty()) {
      throw new IllegalArgumentException(
          "dataset: no training example left ("
              + examples.size()
              + " read; "
              + String.join("; ", warnings)
              + ")");
    }
    if (train.size() < SMALL_DATASET) {
      warnings.add(
          "overfitting risk: only "
              + train.size()
              + " training examples (fewer than "
              + SMALL_DATASET
              + "); the adapter may memorise them. Watch the eval loss, keep epochs and learning rate low,"
              + " or add data");
    }
    return new PreparedData(train, eval, warnings);
  }

  private static List<SupervisedSequence> fit(
      List<SupervisedSequence> examples,
      TrainingConfig config,
      List<String> warnings,
      String which) {
    int max = config.maxSeqLen();
    var kept = new ArrayList<SupervisedSequence>(examples.size());
    int tooLong = 0;
    int unsupervised = 0;
    for (SupervisedSequence example : examples) {
      SupervisedSequence fitted = example;
      if (example.length() > max) {
        tooLong++;
        fitted =
            switch (config.truncation()) {
              case DROP -> null;
              case TRUNCATE_RIGHT ->
                  new SupervisedSequence(
                      Arrays.copyOf(example.tokens(), max),
                      Arrays.copyOf(example.supervised(), max));
              case TRUNCATE_LEFT ->
                  new SupervisedSequence(
                      Arrays.copyOfRange(
                          example.tokens(), example.length() - max, example.length()),
                      Arrays.copyOfRange(
                          example.supervised(), example.length() - max, example.length()));
            };
      }
      if (fitted != null && fitted.supervisedTargets() == 0) {
        unsupervised++;
        fitted = null;
      }
      if (fitted != null) {
        kept.add(fitted);
      }
    }
    if (tooLong > 0) {
      String verb =
          config.truncation() == Truncation.DROP
              ? "dropped"
              : "truncated (" + config.truncation().name().toLowerCase(java.util.Locale.ROOT) + ")";
      warnings.add(
          tooLong + " " + which + " examples longer than max_seq_len " + max + " were " + verb);
    }
    if (unsupervised > 0) {
      warnings.add(
          unsupervised + " " + which + " examples had no supervised token left and were skipped");
    }
    return kept;
  }
}
