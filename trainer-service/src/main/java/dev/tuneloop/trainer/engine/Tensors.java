package dev.tuneloop.trainer.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/** Writing values into a live array. */
final class Tensors {

  private static final NDIndex ALL = new NDIndex("...");

  private Tensors() {}

  /**
   * Copies {@code values} into {@code target}'s own storage (an indexed assignment from a temporary
   * array), rather than {@code NDArray.set(float[])}: the values must not end up aliasing a Java
   * buffer the collector may free while the array lives on.
   */
  static void copyInto(NDArray target, float[] values) {
    try (NDManager scope = target.getManager().newSubManager()) {
      target.set(ALL, scope.create(values, target.getShape()));
    }
  }
}
