package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.norm.Dropout;
import java.util.List;

/**
 * A test double of a trainable model: logits are rows of a trainable (V, V) table, passed through
 * dropout in training so the loop's random-number handling is exercised. The real model is tested
 * in the service tests.
 */
final class BigramModel implements TrainableModel {

  private final NDArray table;

  BigramModel(NDManager manager, int vocab, long seed) {
    manager.getEngine().setRandomSeed((int) seed);
    table = manager.randomNormal(new ai.djl.ndarray.types.Shape(vocab, vocab)).muli(0.1f);
    table.setRequiresGradient(true);
  }

  @Override
  public NDArray logits(NDArray inputs, boolean training) {
    NDArray ids = inputs.toType(ai.djl.ndarray.types.DataType.INT64, false);
    NDArray rows =
        ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    return Dropout.dropout(rows, 0.1f, training).singletonOrThrow();
  }

  @Override
  public List<NDArray> parameters() {
    return List.of(table);
  }

  float[] weights() {
    return table.toFloatArray();
  }
}
