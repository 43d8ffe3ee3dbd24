package dev.tuneloop.trainer;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads training.events from the beginning into the {@link JobRegistry}, so this instance knows
 * jobs run by other workers and sees cancellations made through any instance. Opens {@link
 * #caughtUp()} once it has read what the topic held when it started. Runs as the supervised loop
 * "training-events-view": a run that dies is restarted and reads the topic again (the registry
 * ignores what it already has).
 */
public final class EventsView implements AutoCloseable {

  private final KafkaSettings kafka;
  private final String topic;
  private final JobRegistry registry;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final SupervisedLoop loop;
  private volatile KafkaConsumer<String, Decoded<TrainingJobEvent>> consumer;

  public EventsView(KafkaSettings kafka, String topic, JobRegistry registry) {
    this(kafka, topic, registry, Supervisor.standalone());
  }

  public EventsView(
      KafkaSettings kafka, String topic, JobRegistry registry, Supervisor supervisor) {
    this.kafka = kafka;
    this.topic = topic;
    this.registry = registry;
    this.loop = supervisor.loop("training-events-view", this::run, this::wakeup);
  }

  public EventsView start() {
    loop.start();
    return this;
  }

  public CountDownLatch caughtUp() {
    return caughtUp;
  }

  private void run(SupervisedLoop loop) throws InterruptedException {
    Map<String, Object> props = kafka.consumerProperties("unused");
    props.remove(
        ConsumerConfig
            .GROUP_ID_CONFIG); // assigned partitions, no group: every instance reads it all
    try (var c =
        new KafkaConsumer<>(
            props,
            new StringDeserializer(),
            new ProtobufDeserializer<>(TrainingJobEvent.parser()))) {
      consumer = c;
      List<TopicPartition> partitions = List.of();
      while (partitions.isEmpty() && !loop.stopping()) { // the topic may not exist yet
        loop.alive();
        partitions =
            c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        if (partitions.isEmpty()) {
          caughtUp.countDown(); // nothing to catch up with
          Thread.sleep(500);
        }
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      while (!loop.stopping()) {
        loop.alive();
        for (var record : c.poll(Duration.ofMillis(200))) {
          if (record.value() != null && record.value().isValid()) {
            registry.record(record.value().value());
          }
        }
        if (caughtUp.getCount() > 0
            && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      if (!loop.stopping()) {
        throw e;
      }
    }
  }

  private void wakeup() {
    var c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  @Override
  public void close() {
    loop.close();
    caughtUp.countDown(); // never leave a worker waiting on a closed view
  }
}
