package dev.tuneloop.local.crash;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads what a topic holds right now, the way a downstream reader sees it: read_committed. */
final class TopicReader {
  private TopicReader() {}

  /**
   * Every committed record of {@code topic} up to its current end, all partitions; a missing topic
   * reads as empty.
   */
  static <T extends Message> List<T> readAll(KafkaSettings kafka, String topic, Parser<T> parser) {
    Map<String, Object> props = kafka.consumerProperties("unused");
    props.remove("group.id"); // assigned partitions, nothing committed
    try (var consumer =
        new KafkaConsumer<String, Decoded<T>>(
            props, new StringDeserializer(), new ProtobufDeserializer<>(parser))) {
      var infos = consumer.listTopics(Duration.ofSeconds(30)).get(topic);
      if (infos == null) return List.of();
      var partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions); // read_committed: the last stable offset
      var out = new ArrayList<T>();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          out.add(record.value().value());
        }
      }
      return out;
    }
  }
}
