package dev.tuneloop.trainer;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads training.events from the beginning into the {@link JobRegistry}, so this instance knows
 * jobs run by other workers and sees cancellations made through any instance. Opens {@link
 * #caughtUp()} once it has read what the topic held when it started.
 */
public final class EventsView implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventsView.class);

  private final KafkaConsumer<String, Decoded<TrainingJobEvent>> consumer;
  private final String topic;
  private final JobRegistry registry;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread = new Thread(this::loop, "training-events-view");
  private volatile boolean running = true;

  public EventsView(KafkaSettings kafka, String topic, JobRegistry registry) {
    Map<String, Object> props = kafka.consumerProperties("unused");
    props.remove(
        ConsumerConfig
            .GROUP_ID_CONFIG); // assigned partitions, no group: every instance reads it all
    this.consumer =
        new KafkaConsumer<>(
            props, new StringDeserializer(), new ProtobufDeserializer<>(TrainingJobEvent.parser()));
    this.topic = topic;
    this.registry = registry;
  }

  public EventsView start() {
    thread.start();
    return this;
  }

  public CountDownLatch caughtUp() {
    return caughtUp;
  }

  private void loop() {
    try {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (running) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          if (record.value() != null && record.value().isValid()) {
            registry.record(record.value().value());
          }
        }
        if (caughtUp.getCount() > 0
            && end.entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("training events view stopped", e);
    } finally {
      caughtUp.countDown();
      consumer.close(Duration.ofSeconds(5));
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
