package dev.tuneloop.trainer.engine;

import dev.tuneloop.platform.dataset.EvalSplit;
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
   * the frozen eval split: exactly the examples whose id {@link EvalSplit#isEval} puts there at
   * eval_fraction. An example's side depends on its id alone, so it never changes when the dataset
   * grows, and a version is never evaluated on what an earlier one trained on. When the rule holds
   * out none (a small dataset, a small fraction) there is no eval split, and a warning says so.
   *
   * @param ids each example's id ({@code SnapshotRecord.id()}), parallel to {@code examples}
   * @param explicitEval the eval set, or an empty list to split by eval_fraction
   */
  public static PreparedData of(
      List<SupervisedSequence> examples,
      List<String> ids,
      List<SupervisedSequence> explicitEval,
      TrainingConfig config) {
    if (ids.size() != examples.size()) {
      throw new IllegalArgumentException(
          "examples and ids differ in length: " + examples.size() + " vs " + ids.size());
    }
    var warnings = new ArrayList<String>();
    var held = new ArrayList<SupervisedSequence>();
    var rest = new ArrayList<SupervisedSequence>();
    boolean split = explicitEval.isEmpty() && config.evalFraction() > 0;
    // The spec's fraction is a float (0.1f is 0.100000001): split at the decimal the user wrote
    // (0.1), so every other reader of the rule draws the same line.
    double fraction = Double.parseDouble(Float.toString((float) config.evalFraction()));
    for (int i = 0; i < examples.size(); i++) {
      (split && EvalSplit.isEval(ids.get(i), fraction) ? held : rest).add(examples.get(i));
    }
    List<SupervisedSequence> train = fit(rest, config, warnings, "training");
    List<SupervisedSequence> eval =
        split
            ? fit(held, config, warnings, "held-out evaluation")
            : fit(explicitEval, config, warnings, "evaluation");
    if (split && held.isEmpty()) {
      warnings.add(
          "no eval split: eval_fraction "
              + fraction
              + " holds out none of the "
              + examples.size()
              + " examples (the split is by example id); there is no eval loss, early stopping or"
              + " best-checkpoint selection. Add data, raise eval_fraction, or give"
              + " eval_dataset_snapshot");
    }
    if (train.isEmpty()) {
      throw new IllegalArgumentException(
          "dataset: no training example left ("
              + examples.size()
              + " read, "
              + held.size()
              + " of them held out for evaluation at eval_fraction "
              + fraction
              + (warnings.isEmpty() ? "" : "; " + String.join("; ", warnings))
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

  /**
   * The split of {@link #of(List, List, List, TrainingConfig)} for callers without example ids: an
   * example's position stands for its id, so the split moves when examples are inserted before it.
   *
   * @deprecated pass the examples' ids ({@code TrainingData.examples}) for the frozen split
   */
  @Deprecated
  public static PreparedData of(
      List<SupervisedSequence> examples,
      List<SupervisedSequence> explicitEval,
      TrainingConfig config) {
    return of(examples, positions(examples.size()), explicitEval, config);
  }

  /** "0", "1", ...: ids for examples that have none (tests, benchmarks). */
  public static List<String> positions(int n) {
    return java.util.stream.IntStream.range(0, n).mapToObj(Integer::toString).toList();
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
