package dev.tuneloop.inference.adapters;

import dev.tuneloop.proto.v1.AdapterPublished;

/** Brings a published adapter into memory, checked against the served base model. */
@FunctionalInterface
public interface AdapterLoader<A extends AutoCloseable> {
  /**
   * @throws AdapterUnavailableException when the files are missing or do not fit the base model
   */
  A load(AdapterPublished published);
}
