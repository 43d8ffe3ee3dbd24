package dev.tuneloop.curation;

import dev.tuneloop.curation.pipeline.CurationTopics;
import dev.tuneloop.platform.kafka.Topics;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/** {@code curation.topics.*}: topic names, the pipeline's standard ones by default. */
@ConfigurationProperties("curation.topics")
public record TopicsConfiguration(
    @Bindable(defaultValue = Topics.EXAMPLES_RAW) String raw,
    @Bindable(defaultValue = Topics.EXAMPLES_CURATED) String curated,
    @Bindable(defaultValue = Topics.EXAMPLES_REJECTED) String rejected,
    @Bindable(defaultValue = Topics.TRAINING_REQUESTS) String trainingRequests,
    @Bindable(defaultValue = Topics.TRAINING_EVENTS) String trainingEvents) {

  public CurationTopics toTopics() {
    return new CurationTopics(raw, curated, rejected, trainingRequests, trainingEvents);
  }
}
