package dev.tuneloop.inference;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * {@code tuneloop.inference.*}.
 *
 * @param baseModel        "stories260K" (built in), a local checkpoint path, or an object key prefix under models/
 * @param residentAdapters adapters kept in memory at once; the least recently used is evicted beyond that
 * @param concurrency      generations running at once
 * @param queueCapacity    generations waiting beyond that before requests are refused (RESOURCE_EXHAUSTED)
 * @param consumeAdapters  read adapters.published (off: serve the base model only)
 * @param adaptersTopic    the topic of AdapterPublished events
 */
@ConfigurationProperties("tuneloop.inference")
public record InferenceConfig(
        @Bindable(defaultValue = "stories260K") String baseModel,
        @Bindable(defaultValue = "8") int residentAdapters,
        @Bindable(defaultValue = "2") int concurrency,
        @Bindable(defaultValue = "64") int queueCapacity,
        @Bindable(defaultValue = "true") boolean consumeAdapters,
        @Bindable(defaultValue = "adapters.published") String adaptersTopic) {
}
