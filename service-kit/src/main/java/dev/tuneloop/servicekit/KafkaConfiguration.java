package dev.tuneloop.servicekit;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.util.Map;

/**
 * {@code kafka.*} configuration (env: {@code KAFKA_BOOTSTRAP_SERVERS}, ...), mapped once to {@code
 * KafkaSettings}.
 *
 * @param bootstrapServers {@code kafka.bootstrap-servers}
 * @param partitions {@code kafka.partitions}: partitions of topics this service creates
 * @param replicationFactor {@code kafka.replication-factor}
 * @param createTopics {@code kafka.create-topics}: create missing pipeline topics at startup
 * @param properties {@code kafka.properties.*}: extra client properties (security.protocol, sasl.*,
 *     ...)
 */
@ConfigurationProperties("kafka")
public record KafkaConfiguration(
    String bootstrapServers,
    @Bindable(defaultValue = "3") int partitions,
    @Bindable(defaultValue = "1") short replicationFactor,
    @Bindable(defaultValue = "true") boolean createTopics,
    Map<String, String> properties) {}
