package dev.tuneloop.ingest;

import dev.tuneloop.platform.kafka.Topics;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * {@code ingest.*} settings.
 *
 * @param maxPayloadBytes {@code ingest.max-payload-bytes} and the other limits: see {@link
 *     IngestLimits}
 * @param maxInFlight records sent to Kafka and not yet acknowledged, across all callers ({@code
 *     ingest.max-in-flight})
 * @param inFlightWait how long a caller waits for an in-flight slot before RESOURCE_EXHAUSTED
 * @param streamWindow records of one SubmitStream requested ahead of Kafka's acknowledgements
 * @param recentIds retry-detection index size; refilled from the tail of examples.raw at start
 * @param rawTopic where examples go; {@code incomingTopic} where other systems' events come from
 *     ("" = off)
 */
@ConfigurationProperties("ingest")
public record IngestConfiguration(
    @Bindable(defaultValue = "262144") int maxPayloadBytes,
    @Bindable(defaultValue = "200") int maxTurns,
    @Bindable(defaultValue = "65536") int maxMessageChars,
    @Bindable(defaultValue = "64") int maxMetadataEntries,
    @Bindable(defaultValue = "16777216") long maxExpandedBytes,
    @Bindable(defaultValue = "2000") int maxInFlight,
    @Bindable(defaultValue = "5s") Duration inFlightWait,
    @Bindable(defaultValue = "256") int streamWindow,
    @Bindable(defaultValue = "1000000") int recentIds,
    @Bindable(defaultValue = Topics.EXAMPLES_RAW) String rawTopic,
    @Bindable(defaultValue = Topics.EXAMPLES_INCOMING) String incomingTopic,
    @Bindable(defaultValue = Topics.EXAMPLES_REJECTED) String rejectedTopic,
    @Bindable(defaultValue = "ingest-service") String incomingGroup) {

  public IngestLimits limits() {
    return new IngestLimits(
        maxPayloadBytes, maxTurns, maxMessageChars, maxMetadataEntries, maxExpandedBytes);
  }
}
