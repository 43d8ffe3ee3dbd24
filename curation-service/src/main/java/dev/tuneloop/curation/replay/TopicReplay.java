package dev.tuneloop.curation.replay;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic's committed records from the beginning up to its current end (the last stable
 * offset, so open transactions are not waited for beyond what read_committed requires), without a
 * consumer group.
 */
public final class TopicReplay {

  private TopicReplay() {}

  private static final Duration STABLE_WAIT = Duration.ofSeconds(30);

  /** Returns the end offsets read up to (exclusive), per partition. */
  public static <T extends MessageLite> Map<Integer, Long> replay(
      KafkaSettings settings,
      String topic,
      Parser<T> parser,
      String clientSuffix,
      Consumer<ConsumerRecord<String, Decoded<T>>> action) {
    return replay(settings, topic, parser, clientSuffix, r -> true, Map.of(), action);
  }

  /**
   * Replays the records whose key passes {@code keyFilter}. {@code minimumEnd} (partition to
   * offset) names records this process has just committed: a commit returns before the broker has
   * written its markers, so the last stable offset can lag behind for a moment; the replay waits
   * until it covers them.
   */
  public static <T extends MessageLite> Map<Integer, Long> replay(
      KafkaSettings settings,
      String topic,
      Parser<T> parser,
      String clientSuffix,
      java.util.function.Predicate<String> keyFilter,
      Map<Integer, Long> minimumEnd,
      Consumer<ConsumerRecord<String, Decoded<T>>> action) {
    Map<String, Object> props = settings.consumerProperties("unused");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientIdPrefix() + "-" + clientSuffix);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    try (KafkaConsumer<String, Decoded<T>> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ProtobufDeserializer<>(parser))) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = stableEnd(consumer, partitions, minimumEnd);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, Decoded<T>> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))
              && keyFilter.test(r.key())) {
            action.accept(r);
          }
        }
      }
      Map<Integer, Long> offsets = new HashMap<>();
      end.forEach((tp, o) -> offsets.put(tp.partition(), o));
      return offsets;
    }
  }

  private static Map<TopicPartition, Long> stableEnd(
      KafkaConsumer<?, ?> consumer,
      List<TopicPartition> partitions,
      Map<Integer, Long> minimumEnd) {
    long deadline = System.nanoTime() + STABLE_WAIT.toNanos();
    while (true) {
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      List<TopicPartition> behind =
          end.entrySet().stream()
              .filter(e -> e.getValue() < minimumEnd.getOrDefault(e.getKey().partition(), 0L))
              .map(Map.Entry::getKey)
              .toList();
      if (behind.isEmpty()) {
        return end;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "committed records of "
                + behind
                + " are still not readable after "
                + STABLE_WAIT.toSeconds()
                + " s (last stable offsets "
                + end
                + ", expected at least "
                + minimumEnd
                + ")");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "interrupted while waiting for " + behind + " to become stable", e);
      }
    }
  }
}
