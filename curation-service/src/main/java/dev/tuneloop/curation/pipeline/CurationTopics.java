package dev.tuneloop.curation.pipeline;

import dev.tuneloop.platform.kafka.Topics;

/**
 * The topics curation reads and writes (configurable so tests and tenants of a shared cluster can
 * use their own).
 */
public record CurationTopics(
    String raw, String curated, String rejected, String trainingRequests, String trainingEvents) {

  public static CurationTopics defaults() {
    return new CurationTopics(
        Topics.EXAMPLES_RAW,
        Topics.EXAMPLES_CURATED,
        Topics.EXAMPLES_REJECTED,
        Topics.TRAINING_REQUESTS,
        Topics.TRAINING_EVENTS);
  }
}
