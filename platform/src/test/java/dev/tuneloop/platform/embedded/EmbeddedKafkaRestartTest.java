package dev.tuneloop.platform.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker of its own (not the shared one): data and committed offsets survive a restart on the
 * same log dir.
 */
class EmbeddedKafkaRestartTest {

  @Test
  void committedRecordsAndOffsetsSurviveRestarts(@TempDir Path dir) throws Exception {
    Path logDir = Files.createDirectories(dir.resolve("kafka"));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(logDir, 0)) {
      KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers(), "restart-test");
      send(settings, "job-1", "before");
      assertThat(consume(settings, "watchers", 1)).containsExactly("before");

      kafka.restart();
      assertThat(kafka.bootstrapServers()).isEqualTo(settings.bootstrapServers());

      send(settings, "job-1", "after");
      // The group resumes after its committed offset: only the new record arrives.
      assertThat(consume(settings, "watchers", 1)).containsExactly("after");
    }
    assertThat(logDir.resolve("meta.properties")).exists(); // a caller-owned log dir is kept

    // A new broker process on the same directory (the local default's next run) finds the same
    // data.
    try (EmbeddedKafka again = EmbeddedKafka.start(logDir, 0)) {
      KafkaSettings settings = KafkaSettings.of(again.bootstrapServers(), "second-run");
      assertThat(consume(settings, "fresh-group", 2)).containsExactly("before", "after");
    }
  }

  private static void send(KafkaSettings settings, String key, String message) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            settings.producerProperties(),
            new StringSerializer(),
            new ProtobufSerializer<TrainingJobEvent>())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.TRAINING_EVENTS,
                  key,
                  TrainingJobEvent.newBuilder().setJobId(key).setMessage(message).build()))
          .get();
    }
  }

  private static List<String> consume(KafkaSettings settings, String group, int expected) {
    List<String> messages = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            settings.consumerProperties(group),
            new StringDeserializer(),
            new ProtobufDeserializer<>(TrainingJobEvent.parser()))) {
      consumer.subscribe(List.of(Topics.TRAINING_EVENTS));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                  Decoded<TrainingJobEvent> value = record.value();
                  messages.add(value.value().getMessage());
                }
                return messages.size() >= expected;
              });
      consumer.commitSync();
    }
    return messages;
  }
}
