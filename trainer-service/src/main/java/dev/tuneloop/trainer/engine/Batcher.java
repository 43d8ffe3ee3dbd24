package dev.tuneloop.trainer.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts examples into micro-batches for one epoch, deterministically from (seed, epoch).
 *
 * <p>Length buckets (default): the shuffled examples are taken in windows of {@value
 * #BUCKET_WINDOW} micro-batches, each window sorted by length and cut into micro-batches, and the
 * micro-batches shuffled again; rows of a batch have similar lengths, so little compute goes to
 * padding, while the order stays random. Packing (Axolotl's {@code sample_packing}): whole examples
 * are laid end to end into rows of at most max_seq_len tokens; attention then crosses example
 * boundaries inside a row, the usual trade of simple packing.
 */
public final class Batcher {

  static final int BUCKET_WINDOW = 16;

  private final int microBatchSize;
  private final int maxSeqLen;
  private final boolean packing;
  private final long seed;

  public Batcher(int microBatchSize, int maxSeqLen, boolean packing, long seed) {
    this.microBatchSize = microBatchSize;
    this.maxSeqLen = maxSeqLen;
    this.packing = packing;
    this.seed = seed;
  }

  public static Batcher of(TrainingConfig config) {
    return new Batcher(
        config.microBatchSize(), config.maxSeqLen(), config.samplePacking(), config.seed());
  }

  /** The training micro-batches of an epoch, in the order they are used. */
  public List<Batch> epoch(List<SupervisedSequence> examples, int epoch) {
    int[] order = DataOrder.permutation(examples.size(), seed, 2L * epoch);
    List<List<SupervisedSequence>> groups =
        packing ? packRows(examples, order) : buckets(examples, order);
    int[] batchOrder = DataOrder.permutation(groups.size(), seed, 2L * epoch + 1);
    var batches = new ArrayList<Batch>(groups.size());
    for (int i : batchOrder) {
      batches.add(toBatch(groups.get(i)));
    }
    return batches;
  }

  /**
   * Micro-batches for evaluation: every example once, sorted by length, no shuffling and no
   * packing.
   */
  public List<Batch> evaluation(List<SupervisedSequence> examples) {
    var sorted = new ArrayList<>(examples);
    sorted.sort(Comparator.comparingInt(SupervisedSequence::length));
    var batches = new ArrayList<Batch>();
    for (int i = 0; i < sorted.size(); i += microBatchSize) {
      batches.add(toBatch(sorted.subList(i, Math.min(sorted.size(), i + microBatchSize))));
    }
    return batches;
  }

  private List<List<SupervisedSequence>> buckets(List<SupervisedSequence> examples, int[] order) {
    var groups = new ArrayList<List<SupervisedSequence>>();
    int window = microBatchSize * BUCKET_WINDOW;
    for (int start = 0; start < order.length; start += window) {
      var chunk = new ArrayList<SupervisedSequence>();
      for (int i = start; i < Math.min(order.length, start + window); i++) {
        chunk.add(examples.get(order[i]));
      }
      chunk.sort(
          Comparator.comparingInt(SupervisedSequence::length)); // stable: ties keep shuffled order
      for (int i = 0; i < chunk.size(); i += microBatchSize) {
        groups.add(List.copyOf(chunk.subList(i, Math.min(chunk.size(), i + microBatchSize))));
      }
    }
    return groups;
  }

  private List<List<SupervisedSequence>> packRows(List<SupervisedSequence> examples, int[] order) {
    var rows = new ArrayList<SupervisedSequence>();
    var tokens = new int[maxSeqLen];
    var supervised = new boolean[maxSeqLen];
    int used = 0;
    for (int index : order) {
      SupervisedSequence example = examples.get(index);
      if (used + example.length() > maxSeqLen) {
        rows.add(
            new SupervisedSequence(Arrays.copyOf(tokens, used), Arrays.copyOf(supervised, used)));
        used = 0;
      }
      System.arraycopy(example.tokens(), 0, tokens, used, example.length());
      System.arraycopy(example.supervised(), 0, supervised, used, example.length());
      used += example.length();
    }
    if (used > 0) {
      rows.add(
          new SupervisedSequence(Arrays.copyOf(tokens, used), Arrays.copyOf(supervised, used)));
    }
    var groups = new ArrayList<List<SupervisedSequence>>();
    for (int i = 0; i < rows.size(); i += microBatchSize) {
      groups.add(List.copyOf(rows.subList(i, Math.min(rows.size(), i + microBatchSize))));
    }
    return groups;
  }

  /** Shifts each row by one (inputs predict the next token) and right-pads to the longest row. */
  static Batch toBatch(List<SupervisedSequence> rows) {
    int columns = 1;
    int supervised = 0;
    for (SupervisedSequence row : rows) {
      columns = Math.max(columns, row.length() - 1);
      supervised += row.supervisedTargets();
    }
    int[] inputs = new int[rows.size() * columns];
    long[] positions = new long[supervised];
    long[] labels = new long[supervised];
    int realTokens = 0;
    int s = 0;
    for (int r = 0; r < rows.size(); r++) {
      SupervisedSequence row = rows.get(r);
      for (int t = 0; t < row.length() - 1; t++) {
        int at = r * columns + t;
        inputs[at] = row.tokens()[t];
        if (row.supervised()[t + 1]) {
          positions[s] = at;
          labels[s++] = row.tokens()[t + 1];
        }
      }
      realTokens += Math.max(0, row.length() - 1);
    }
    return new Batch(rows.size(), columns, inputs, positions, labels, realTokens);
  }
}
