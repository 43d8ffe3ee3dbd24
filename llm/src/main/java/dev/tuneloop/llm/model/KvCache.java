package dev.tuneloop.llm.model;

import ai.djl.ndarray.NDArray;

/** Where a forward pass keeps keys and values of earlier positions; see {@link DecodeSession}. */
interface KvCache {

  /**
   * Stores this step's keys and values and returns all of them so far.
   *
   * @param keys new keys (B, K, 1, E, T)
   * @param values new values (B, K, 1, T, E)
   * @return {keys (B, K, 1, E, S), values (B, K, 1, S, E)} with S = cached + T
   */
  NDArray[] append(int layer, NDArray keys, NDArray values, long t);
}
