package dev.tuneloop.trainer;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.engine.StopSignal;
import dev.tuneloop.trainer.engine.TrainingResult;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training worker: takes jobs from training.requests in a consumer group, one at a time, and
 * commits a request's offset only when its job is terminal. While a job runs the partitions are
 * paused and the consumer keeps polling, so the group does not evict a worker busy with a long job.
 * On shutdown (or when the partition moves to another worker) the job checkpoints and its offset
 * stays uncommitted, so the next owner of the partition resumes it.
 */
public final class TrainingWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TrainingWorker.class);

  private final KafkaConsumer<String, Decoded<TrainingJobSpec>> consumer;
  private final String topic;
  private final JobRunner runner;
  private final JobEvents events;
  private final JobRegistry registry;
  private final CountDownLatch ready;
  private final ExecutorService jobThread =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "training-job"));
  private final Thread pollThread = new Thread(this::pollLoop, "training-worker");
  private volatile boolean running = true;
  private volatile Current current;

  private record Current(
      String jobId, TopicPartition partition, StopSignal stop, CompletableFuture<?> done) {}

  /**
   * @param ready opened once the events view has caught up, so a cancelled or finished job is
   *     recognised
   */
  public TrainingWorker(
      KafkaSettings kafka,
      String group,
      String topic,
      JobRunner runner,
      JobEvents events,
      JobRegistry registry,
      CountDownLatch ready) {
    Map<String, Object> props = kafka.consumerProperties(group);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    this.consumer =
        new KafkaConsumer<>(
            props, new StringDeserializer(), new ProtobufDeserializer<>(TrainingJobSpec.parser()));
    this.topic = topic;
    this.runner = runner;
    this.events = events;
    this.registry = registry;
    this.ready = ready;
    registry.onEvent(
        event -> {
          Current job = current;
          if (event.getState() == JobState.CANCELLED
              && job != null
              && job.jobId().equals(event.getJobId())) {
            job.stop().cancel();
          }
        });
  }

  public void start() {
    pollThread.start();
  }

  /** The job this worker is running, if any. */
  public String currentJob() {
    Current job = current;
    return job == null ? null : job.jobId();
  }

  private void pollLoop() {
    try {
      ready.await();
      consumer.subscribe(List.of(topic), new Rebalance());
      while (running) {
        for (ConsumerRecord<String, Decoded<TrainingJobSpec>> record :
            consumer.poll(Duration.ofMillis(200))) {
          if (!running) {
            break;
          }
          handle(record);
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("training worker stopped", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void handle(ConsumerRecord<String, Decoded<TrainingJobSpec>> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    if (record.value() == null || !record.value().isValid()) {
      log.error("skipping a malformed training request at {}@{}", partition, record.offset());
      commit(partition, record.offset());
      return;
    }
    TrainingJobSpec spec = record.value().value();
    if (spec.getJobId()
        .isBlank()) { // derived from the record, so a redelivery resumes the same job
      spec =
          spec.toBuilder()
              .setJobId(spec.getAdapterName() + "-p" + record.partition() + "-o" + record.offset())
              .build();
    }
    if (registry.isTerminal(spec.getJobId())) {
      log.info(
          "job {} is already {}; skipping",
          spec.getJobId(),
          registry.get(spec.getJobId()).orElseThrow().getLatest().getState());
      commit(partition, record.offset());
      return;
    }
    registry.remember(spec);
    var stop = new StopSignal();
    TrainingJobSpec job = spec;
    var done = CompletableFuture.supplyAsync(() -> runner.run(job, stop), jobThread);
    current = new Current(spec.getJobId(), partition, stop, done);
    consumer.pause(consumer.assignment());
    while (!done.isDone()) {
      consumer.poll(
          Duration.ofMillis(100)); // keeps the group membership alive; returns nothing while paused
      if (!running) {
        stop.shutdown();
      }
    }
    current = null;
    TrainingResult.Outcome outcome = done.join();
    if (!consumer.assignment().contains(partition)) {
      log.info(
          "job {} left to the partition's new owner",
          spec.getJobId()); // it resumes from the checkpoint
    } else if (outcome == TrainingResult.Outcome.INTERRUPTED) {
      consumer.seek(
          partition, record.offset()); // not done: whoever owns the partition next runs it again
    } else {
      commit(partition, record.offset());
    }
    consumer.resume(consumer.assignment());
  }

  private void commit(TopicPartition partition, long offset) {
    consumer.commitSync(Map.of(partition, new OffsetAndMetadata(offset + 1)));
  }

  /** A partition taken away mid-job: checkpoint now and leave the job to its new owner. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      Current job = current;
      if (job != null && partitions.contains(job.partition())) {
        job.stop().shutdown();
        job.done().join();
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
  }

  /** Stops taking jobs; a running job checkpoints and is left for the next worker. */
  @Override
  public void close() {
    running = false;
    Current job = current;
    if (job != null) {
      job.stop().shutdown();
    }
    try {
      pollThread.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    jobThread.shutdownNow();
  }
}
