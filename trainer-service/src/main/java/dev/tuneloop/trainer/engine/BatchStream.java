package dev.tuneloop.trainer.engine;

import java.util.List;

/**
 * The endless sequence of training micro-batches, epoch after epoch, with a position a checkpoint
 * can save.
 */
final class BatchStream {

  private final Batcher batcher;
  private final List<SupervisedSequence> examples;
  private int epoch;
  private int next;
  private List<Batch> batches;

  BatchStream(Batcher batcher, List<SupervisedSequence> examples, int epoch, int next) {
    this.batcher = batcher;
    this.examples = examples;
    this.epoch = epoch;
    this.next = next;
    this.batches = batcher.epoch(examples, epoch);
  }

  Batch take() {
    if (next == batches.size()) {
      epoch++;
      next = 0;
      batches = batcher.epoch(examples, epoch);
    }
    return batches.get(next++);
  }

  int epoch() {
    return epoch;
  }

  int next() {
    return next;
  }

  /** Epochs completed, fractional: 1.5 is halfway through the second. */
  double progress() {
    return epoch + (double) next / batches.size();
  }

  int batchesPerEpoch() {
    return batches.size();
  }
}
