package dev.tuneloop.ingest.kafka;

import dev.tuneloop.ingest.RecentIds;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.proto.v1.Example;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Refills {@link RecentIds} from the tail of examples.raw at start, so retries after a restart are
 * still recognised.
 */
public final class RecentIdsLoader {

  private RecentIdsLoader() {}

  /**
   * Reads at most {@code tailPerPartition} newest records of each partition; returns how many ids
   * were loaded.
   */
  public static long load(
      KafkaSettings settings, String topic, RecentIds ids, int tailPerPartition) {
    Properties props = new Properties();
    props.putAll(settings.consumerProperties("unused"));
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientIdPrefix() + "-recent-ids");
    long loaded = 0;
    try (KafkaConsumer<String, Decoded<Example>> consumer =
        new KafkaConsumer<>(
            props, new StringDeserializer(), new ProtobufDeserializer<>(Example.parser()))) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      for (TopicPartition tp : partitions) {
        consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - tailPerPartition));
      }
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, Decoded<Example>> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.value() != null && r.value().isValid()) {
            Example e = r.value().value();
            ids.add(RecentIds.key(e.getTenant(), e.getDataset(), e.getId()));
            loaded++;
          }
        }
      }
    }
    return loaded;
  }
}
