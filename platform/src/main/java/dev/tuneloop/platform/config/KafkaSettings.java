package dev.tuneloop.platform.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Where Kafka is and how tuneloop's clients talk to it.
 *
 * @param bootstrapServers comma-separated host:port list, e.g. {@code localhost:9092}
 * @param clientIdPrefix prefix of every client.id, usually the service name
 * @param partitions partitions of each topic that {@code TopicAdmin} creates
 * @param replicationFactor replication of each topic that {@code TopicAdmin} creates (1 for a
 *     single broker)
 * @param extra further client properties (security, SASL, ...) passed through verbatim to every
 *     client
 */
public record KafkaSettings(
    String bootstrapServers,
    String clientIdPrefix,
    int partitions,
    short replicationFactor,
    Map<String, String> extra) {

  /** Environment variable that overrides the bootstrap servers. */
  public static final String ENV_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";

  public KafkaSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(
          "Kafka bootstrap servers are not set (config kafka.bootstrap-servers or env "
              + ENV_BOOTSTRAP_SERVERS
              + ")");
    }
    clientIdPrefix =
        clientIdPrefix == null || clientIdPrefix.isBlank() ? "tuneloop" : clientIdPrefix;
    if (partitions < 1)
      throw new IllegalArgumentException("Kafka partitions must be >= 1, got " + partitions);
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "Kafka replication factor must be >= 1, got " + replicationFactor);
    }
    extra = Map.copyOf(extra == null ? Map.of() : extra);
  }

  /** Single-broker defaults: 3 partitions, replication 1. */
  public static KafkaSettings of(String bootstrapServers, String clientIdPrefix) {
    return new KafkaSettings(bootstrapServers, clientIdPrefix, 3, (short) 1, Map.of());
  }

  /**
   * Settings from {@value #ENV_BOOTSTRAP_SERVERS}, for tools that run without a Micronaut context.
   */
  public static KafkaSettings fromEnvironment(String clientIdPrefix) {
    return of(System.getenv(ENV_BOOTSTRAP_SERVERS), clientIdPrefix);
  }

  public KafkaSettings withClientIdPrefix(String prefix) {
    return new KafkaSettings(bootstrapServers, prefix, partitions, replicationFactor, extra);
  }

  /**
   * Admin client properties with short timeouts, so an unreachable cluster is reported in seconds.
   */
  public Map<String, Object> adminProperties() {
    Map<String, Object> props = common("admin");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    return props;
  }

  /**
   * Idempotent producer with acks=all: a send acknowledged is a send kept, retries never duplicate.
   * One request in flight per broker: with several, a first batch that fails with a retriable error
   * (a partition whose leader is not known yet, just after the topic was created) while a later
   * batch succeeds leaves the producer retrying an out-of-order sequence forever (KAFKA-14359); it
   * was seen here stalling a test's sends for minutes.
   */
  public Map<String, Object> producerProperties() {
    Map<String, Object> props = common("producer");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return props;
  }

  /**
   * A transactional producer; the id must be stable across restarts of the same worker (fencing
   * relies on it).
   */
  public Map<String, Object> transactionalProducerProperties(String transactionalId) {
    Objects.requireNonNull(transactionalId, "transactionalId");
    Map<String, Object> props = producerProperties();
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    return props;
  }

  /**
   * A consumer in {@code groupId} that commits explicitly, starts from the earliest offset when the
   * group is new, and reads only committed transactional data.
   */
  public Map<String, Object> consumerProperties(String groupId) {
    Objects.requireNonNull(groupId, "groupId");
    Map<String, Object> props = common("consumer-" + groupId);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return props;
  }

  private Map<String, Object> common(String role) {
    Map<String, Object> props = new HashMap<>(extra);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-" + role);
    return props;
  }
}
