package dev.tuneloop.llm.model;

import ai.djl.ndarray.NDArray;

/** Where a forward pass keeps keys and values of earlier positions; see {@link DecodeSession}. */
interface KvCache {

    /**
     * Stores this step's keys and values and returns all of them so far.
     *
     * @param k new keys (B, K, T, E)
     * @param v new values (B, K, T, E)
     * @return {keys, values}, each (B, K, S, E) with S = cached + T
     */
    NDArray[] append(int layer, NDArray k, NDArray v);
}
