package dev.tuneloop.trainer;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.RejectedTrainingRequest;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import dev.tuneloop.trainer.engine.StopSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 *
 * <p>A request it cannot take (unreadable, invalid, over the operator's limits, its snapshot
 * missing) goes to the dead-letter topic with the reason, and its job (when it has an id) ends
 * FAILED. A job gets at most {@code maxAttempts} attempts; the attempt number rides in its events,
 * so a worker that inherits a job after a crash counts on. A job that runs past the wall-clock
 * limit is stopped and ends FAILED. The poll loop is the supervised loop "training-worker".
 */
public final class TrainingWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TrainingWorker.class);

  /** One attempt at a job; {@link JobRunner#run} in the service. */
  @FunctionalInterface
  public interface Job {
    JobRunner.Ending run(
        TrainingJobSpec spec, StopSignal stop, int attempt, BooleanSupplier overTime);
  }

  /** Where poison requests go and how far a job may go. */
  public record Limits(String rejectedTopic, int maxAttempts, Duration maxDuration) {}

  private final KafkaSettings kafka;
  private final String group;
  private final String topic;
  private final Job job;
  private final JobEvents events;
  private final JobRegistry registry;
  private final RequestCheck check;
  private final Producer<String, MessageLite> producer;
  private final Limits limits;
  private final CountDownLatch ready;
  private final ExecutorService jobThread =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "training-job"));
  private final SupervisedLoop loop;
  private volatile KafkaConsumer<String, Decoded<TrainingJobSpec>> consumer;
  private volatile Current current;

  private record Current(
      String jobId, TopicPartition partition, StopSignal stop, CompletableFuture<?> done) {}

  /**
   * @param ready opened once the events view has caught up, so a cancelled or finished job is
   *     recognised
   */
  TrainingWorker(
      KafkaSettings kafka,
      String group,
      String topic,
      Job job,
      JobEvents events,
      JobRegistry registry,
      RequestCheck check,
      Producer<String, MessageLite> producer,
      Limits limits,
      CountDownLatch ready,
      Supervisor supervisor) {
    this.kafka = kafka;
    this.group = group;
    this.topic = topic;
    this.job = job;
    this.events = events;
    this.registry = registry;
    this.check = check;
    this.producer = producer;
    this.limits = limits;
    this.ready = ready;
    this.loop = supervisor.loop("training-worker", this::pollLoop, this::wakeup);
    registry.onEvent(
        event -> {
          Current running = current;
          if (event.getState() == JobState.CANCELLED
              && running != null
              && running.jobId().equals(event.getJobId())) {
            running.stop().cancel();
          }
        });
  }

  public void start() {
    loop.start();
  }

  public SupervisedLoop loop() {
    return loop;
  }

  /** The job this worker is running, if any. */
  public String currentJob() {
    Current running = current;
    return running == null ? null : running.jobId();
  }

  private void pollLoop(SupervisedLoop loop) throws InterruptedException {
    ready.await();
    Map<String, Object> props = kafka.consumerProperties(group);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    try (var c =
        new KafkaConsumer<>(
            props,
            new StringDeserializer(),
            new ProtobufDeserializer<>(TrainingJobSpec.parser()))) {
      consumer = c;
      c.subscribe(List.of(topic), new Rebalance());
      while (!loop.stopping()) {
        loop.alive();
        for (ConsumerRecord<String, Decoded<TrainingJobSpec>> record :
            c.poll(Duration.ofMillis(200))) {
          if (loop.stopping()) {
            break;
          }
          handle(c, record);
        }
      }
    } catch (WakeupException e) {
      if (!loop.stopping()) {
        throw e;
      }
    }
  }

  /** The job id a request stands for: its own, or derived from the record (a redelivery agrees). */
  static String jobId(TrainingJobSpec spec, int partition, long offset) {
    return spec.getJobId().isBlank()
        ? spec.getAdapterName() + "-p" + partition + "-o" + offset
        : spec.getJobId();
  }

  private void handle(
      KafkaConsumer<String, Decoded<TrainingJobSpec>> c,
      ConsumerRecord<String, Decoded<TrainingJobSpec>> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    if (record.value() == null || !record.value().isValid()) {
      byte[] bytes =
          record.value() instanceof Decoded.Malformed<TrainingJobSpec> m ? m.bytes() : new byte[0];
      String why =
          record.value() instanceof Decoded.Malformed<TrainingJobSpec> m
              ? "not a TrainingJobSpec: " + m.error()
              : "empty record value (tombstone)";
      deadLetter(
          record,
          RejectedTrainingRequest.newBuilder().setRawPayload(ByteString.copyFrom(bytes)),
          why);
      commit(c, partition, record.offset());
      return;
    }
    TrainingJobSpec received = record.value().value();
    TrainingJobSpec spec =
        received.toBuilder().setJobId(jobId(received, record.partition(), record.offset())).build();
    if (registry.isTerminal(spec.getJobId())) {
      log.info(
          "job {} is already {}; skipping",
          spec.getJobId(),
          registry.get(spec.getJobId()).orElseThrow().getLatest().getState());
      commit(c, partition, record.offset());
      return;
    }
    registry.remember(spec);
    Optional<String> problem = check.problem(spec);
    if (problem.isPresent()) {
      deadLetter(record, RejectedTrainingRequest.newBuilder().setSpec(spec), problem.get());
      events.publish(
          JobEvents.of(spec, JobState.FAILED)
              .setError(problem.get())
              .setMessage("failed: " + problem.get())
              .build());
      commit(c, partition, record.offset());
      return;
    }
    if (runAttempts(c, spec, partition)) {
      commit(c, partition, record.offset());
    } else if (c.assignment().contains(partition)) {
      c.seek(partition, record.offset()); // not done: whoever owns the partition next runs it again
    } else {
      log.info(
          "job {} left to the partition's new owner",
          spec.getJobId()); // resumes from the checkpoint
    }
    c.resume(c.assignment());
  }

  /** Runs attempts until the job is terminal (true) or interrupted (false). */
  private boolean runAttempts(
      KafkaConsumer<String, Decoded<TrainingJobSpec>> c,
      TrainingJobSpec spec,
      TopicPartition partition) {
    long deadline = System.nanoTime() + limits.maxDuration().toNanos();
    int attempt = lastAttempt(spec.getJobId());
    String lastError =
        registry
            .get(spec.getJobId())
            .map(JobStatus::getLatest)
            .map(
                e ->
                    e.getError().isBlank()
                        ? "the trainer stopped during attempt " + e.getAttempt()
                        : e.getError())
            .orElse("");
    while (true) {
      attempt++;
      if (attempt > limits.maxAttempts()) {
        giveUp(spec, attempt - 1, lastError);
        return true;
      }
      var stop = new StopSignal();
      var overTime = new AtomicBoolean();
      int number = attempt;
      var done =
          CompletableFuture.supplyAsync(
              () -> job.run(spec, stop, number, overTime::get), jobThread);
      current = new Current(spec.getJobId(), partition, stop, done);
      c.pause(c.assignment());
      while (!done.isDone()) {
        c.poll(Duration.ofMillis(100)); // keeps the group membership alive; nothing while paused
        if (loop.stopping()) {
          stop.shutdown();
        }
        if (!overTime.get() && System.nanoTime() > deadline) {
          overTime.set(true);
          stop.cancel();
        }
      }
      current = null;
      JobRunner.Ending ending;
      try {
        ending = done.join();
      } catch (CompletionException e) { // the attempt threw past the runner (an Error, say)
        ending =
            new JobRunner.Ending(
                JobRunner.Ending.Kind.ATTEMPT_FAILED, "internal error: " + e.getCause());
      }
      switch (ending.kind()) {
        case TERMINAL -> {
          return true;
        }
        case INTERRUPTED -> {
          return false;
        }
        case ATTEMPT_FAILED -> {
          lastError = ending.error();
          if (loop.stopping() || !c.assignment().contains(partition)) {
            return false; // shutting down or moved: the next owner makes the next attempt
          }
          if (attempt < limits.maxAttempts()) {
            events.publish(
                JobEvents.of(spec, JobState.RUNNING)
                    .setAttempt(attempt)
                    .setError(lastError)
                    .setMessage(
                        "attempt "
                            + attempt
                            + " of "
                            + limits.maxAttempts()
                            + " failed; retrying: "
                            + lastError)
                    .build());
          }
        }
      }
    }
  }

  private int lastAttempt(String jobId) {
    return registry
        .get(jobId)
        .filter(JobStatus::hasLatest)
        .map(s -> s.getLatest().getAttempt())
        .orElse(0);
  }

  private void giveUp(TrainingJobSpec spec, int attempts, String lastError) {
    String reason =
        "gave up after "
            + attempts
            + " attempt(s) (setting trainer.max-attempts is "
            + limits.maxAttempts()
            + "); last: "
            + lastError;
    events.publish(
        JobEvents.of(spec, JobState.FAILED)
            .setAttempt(attempts)
            .setError(reason)
            .setMessage("failed: " + reason)
            .build());
  }

  private void deadLetter(
      ConsumerRecord<String, ?> record, RejectedTrainingRequest.Builder rejected, String reason) {
    Instant now = Instant.now();
    rejected
        .setReason(reason)
        .setSourceTopic(record.topic())
        .setSourcePartition(record.partition())
        .setSourceOffset(record.offset())
        .setRejectedAt(Timestamps.of(now));
    log.warn(
        "training request at {}-{}@{} dead-lettered to {}: {}",
        record.topic(),
        record.partition(),
        record.offset(),
        limits.rejectedTopic(),
        reason);
    try {
      producer
          .send(new ProducerRecord<>(limits.rejectedTopic(), record.key(), rejected.build()))
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while dead-lettering a training request", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not dead-letter a training request to "
              + limits.rejectedTopic()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static void commit(KafkaConsumer<String, ?> c, TopicPartition partition, long offset) {
    c.commitSync(Map.of(partition, new OffsetAndMetadata(offset + 1)));
  }

  /** Wakes an idle poll; a running job is stopped through its stop signal instead. */
  private void wakeup() {
    var c = consumer;
    if (c != null && current == null) {
      c.wakeup();
    }
  }

  /** A partition taken away mid-job: checkpoint now and leave the job to its new owner. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      Current running = current;
      if (running != null && partitions.contains(running.partition())) {
        running.stop().shutdown();
        running.done().exceptionally(e -> null).join();
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
  }

  /** Stops taking jobs; a running job checkpoints and is left for the next worker. */
  @Override
  public void close() {
    loop.stop(); // no new job from here on
    Current running = current;
    if (running != null) {
      running.stop().shutdown();
      try {
        running.done().get(60, TimeUnit.SECONDS); // it checkpoints at its next step
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        log.warn("job {} did not stop cleanly: {}", running.jobId(), e.toString());
      }
    }
    loop.close();
    jobThread.shutdownNow();
  }
}
