package dev.tuneloop.trainer;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Makes a job visible, and cancellable, from the moment its request is on training.requests: a
 * worker busy with another job does not read the next request until it is free, and a request from
 * curation's retrain policy comes without SubmitJob's QUEUED event. This loop ("training- queue")
 * reads the requests the workers' group has not finished yet (from its committed offsets on) and
 * emits QUEUED for every job nobody has reported on. CancelJob then works on it, and the worker
 * skips it when it gets there.
 */
public final class QueuedRequests implements AutoCloseable {

  private final KafkaSettings kafka;
  private final Admin admin;
  private final String group;
  private final String topic;
  private final JobRegistry registry;
  private final JobEvents events;
  private final CountDownLatch ready;
  private final SupervisedLoop loop;
  private volatile KafkaConsumer<String, Decoded<TrainingJobSpec>> consumer;

  /**
   * @param ready opened once the events view has caught up, so known jobs are not queued again
   */
  public QueuedRequests(
      KafkaSettings kafka,
      Admin admin,
      String group,
      String topic,
      JobRegistry registry,
      JobEvents events,
      CountDownLatch ready,
      Supervisor supervisor) {
    this.kafka = kafka;
    this.admin = admin;
    this.group = group;
    this.topic = topic;
    this.registry = registry;
    this.events = events;
    this.ready = ready;
    this.loop = supervisor.loop("training-queue", this::run, this::wakeup);
  }

  public QueuedRequests start() {
    loop.start();
    return this;
  }

  private void run(SupervisedLoop loop) throws Exception {
    ready.await();
    Map<String, Object> props = kafka.consumerProperties("unused");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG); // reads, never commits: the workers own the group
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, kafka.clientIdPrefix() + "-training-queue");
    try (var c =
        new KafkaConsumer<>(
            props,
            new StringDeserializer(),
            new ProtobufDeserializer<>(TrainingJobSpec.parser()))) {
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
      Map<TopicPartition, OffsetAndMetadata> done =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      for (TopicPartition p : partitions) {
        OffsetAndMetadata committed = done.get(p);
        if (committed == null) {
          c.seekToBeginning(List.of(p));
        } else {
          c.seek(p, committed.offset());
        }
      }
      while (!loop.stopping()) {
        loop.alive();
        for (var record : c.poll(Duration.ofMillis(500))) {
          if (record.value() != null && record.value().isValid()) {
            queued(
                record.value().value(),
                TrainingWorker.jobId(record.value().value(), record.partition(), record.offset()));
          }
        }
      }
    } catch (WakeupException e) {
      if (!loop.stopping()) {
        throw e;
      }
    }
  }

  private void queued(TrainingJobSpec request, String jobId) {
    if (registry.get(jobId).filter(JobStatus::hasLatest).isPresent()) {
      return; // submitted through the API, running, or finished
    }
    TrainingJobSpec spec = request.toBuilder().setJobId(jobId).build();
    registry.remember(spec);
    events.publish(
        JobEvents.of(spec, JobState.QUEUED)
            .setMessage("queued: waiting for a free training worker")
            .build());
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
