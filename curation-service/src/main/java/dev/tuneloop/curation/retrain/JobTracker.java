package dev.tuneloop.curation.retrain;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows training.events from the beginning (no group: every instance needs the whole history)
 * into the planner, with each event's time, so the planner can time out a job that stopped
 * reporting. Runs as the supervised loop "curation-job-tracker": a run that dies is restarted and
 * reads the topic from the beginning again.
 */
public final class JobTracker implements AutoCloseable {

  private final KafkaSettings kafka;
  private final String topic;
  private final RetrainPlanner planner;
  private final SupervisedLoop loop;
  private volatile KafkaConsumer<String, Decoded<TrainingJobEvent>> consumer;

  public JobTracker(KafkaSettings kafka, String topic, RetrainPlanner planner) {
    this(kafka, topic, planner, Supervisor.standalone());
  }

  public JobTracker(
      KafkaSettings kafka, String topic, RetrainPlanner planner, Supervisor supervisor) {
    this.kafka = kafka;
    this.topic = topic;
    this.planner = planner;
    this.loop = supervisor.loop("curation-job-tracker", this::run, this::wakeup);
  }

  public JobTracker start() {
    loop.start();
    return this;
  }

  public SupervisedLoop loop() {
    return loop;
  }

  private void run(SupervisedLoop loop) throws InterruptedException {
    Map<String, Object> props = kafka.consumerProperties("unused");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, kafka.clientIdPrefix() + "-job-tracker");
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
          Thread.sleep(500);
        }
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      while (!loop.stopping()) {
        loop.alive();
        for (ConsumerRecord<String, Decoded<TrainingJobEvent>> r : c.poll(Duration.ofMillis(500))) {
          if (r.value() != null && r.value().isValid()) {
            TrainingJobEvent event = r.value().value();
            Instant at =
                event.hasAt()
                    ? Timestamps.toInstant(event.getAt())
                    : Instant.ofEpochMilli(r.timestamp());
            planner.jobEvent(event.getJobId(), event.getState(), at);
            if (event.getState() == JobState.SUCCEEDED
                && event.getEval().getDecision().getPromote()) {
              planner.promoted(event.getJobId());
            }
          }
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
  }
}
