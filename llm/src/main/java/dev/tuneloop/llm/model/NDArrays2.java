package dev.tuneloop.llm.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.index.full.NDIndexFullSlice;

/**
 * Basic slicing through DJL's single-call path. {@code NDArray.get/set(NDIndex)} take the general
 * "advanced index" route, several native calls per use; a plain slice is one call, which matters
 * when decoding calls it per layer.
 */
final class NDArrays2 {
  private NDArrays2() {}

  /** A view of {@code array} (shares memory). */
  static NDArray slice(NDArray array, NDIndex index) {
    return array.getNDArrayInternal().getIndexer(array.getManager()).get(array, full(array, index));
  }

  /** Copies {@code value} into the slice of {@code array}, in place. */
  static void assign(NDArray array, NDIndex index, NDArray value) {
    array.getNDArrayInternal().getIndexer(array.getManager()).set(array, full(array, index), value);
  }

  private static NDIndexFullSlice full(NDArray array, NDIndex index) {
    return NDIndexFullSlice.fromIndex(index, array.getShape())
        .orElseThrow(() -> new IllegalArgumentException("not a basic slice: " + index));
  }
}
