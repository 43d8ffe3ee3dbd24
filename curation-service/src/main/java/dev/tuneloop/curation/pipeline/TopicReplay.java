package dev.tuneloop.curation.pipeline;

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
 * Reads a topic's committed records from the beginning up to its current end (the last stable offset, so open
 * transactions are not waited for beyond what read_committed requires), without a consumer group.
 */
public final class TopicReplay {

  private TopicReplay() {}

  /** Returns the end offsets read up to (exclusive), per partition. */
  public static <T extends MessageLite> Map<Integer, Long> replay(KafkaSettings settings, String topic, Parser<T> parser,
      String clientSuffix, Consumer<ConsumerRecord<String, Decoded<T>>> action) {
    return replay(settings, topic, parser, clientSuffix, r -> true, action);
  }

  public static <T extends MessageLite> Map<Integer, Long> replay(KafkaSettings settings, String topic, Parser<T> parser,
      String clientSuffix, java.util.function.Predicate<String> keyFilter, Consumer<ConsumerRecord<String, Decoded<T>>> action) {
    Map<String, Object> props = settings.consumerProperties("unused");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientIdPrefix() + "-" + clientSuffix);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    try (KafkaConsumer<String, Decoded<T>> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ProtobufDeserializer<>(parser))) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, Decoded<T>> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && keyFilter.test(r.key())) {
            action.accept(r);
          }
        }
      }
      Map<Integer, Long> offsets = new HashMap<>();
      end.forEach((tp, o) -> offsets.put(tp.partition(), o));
      return offsets;
    }
  }
}
