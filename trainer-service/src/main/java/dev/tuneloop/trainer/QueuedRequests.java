package dev.tuneloop.trainer;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.servicekit.kafka.TopicFollower;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Makes a job visible, and cancellable, from the moment its request is on training.requests: a
 * worker busy with another job does not read the next request until it is free, and a request from
 * curation's retrain policy comes without SubmitJob's QUEUED event. This loop ("training-queue", a
 * {@link TopicFollower}) reads the requests the workers' group has not finished yet (from its
 * committed offsets on) and emits QUEUED for every job nobody has reported on. CancelJob then works
 * on it, and the worker skips it when it gets there.
 */
public final class QueuedRequests implements AutoCloseable {

  private final Admin admin;
  private final String group;
  private final JobRegistry registry;
  private final JobEvents events;
  private final TopicFollower<TrainingJobSpec> follower;

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
    this.admin = admin;
    this.group = group;
    this.registry = registry;
    this.events = events;
    // Reads, never commits: the workers own the group.
    this.follower =
        new TopicFollower<>(
                kafka,
                topic,
                TrainingJobSpec.parser(),
                "training-queue",
                supervisor,
                (request, record) ->
                    queued(
                        request,
                        TrainingWorker.jobId(request, record.partition(), record.offset())))
            .clientId("training-queue")
            .after(ready)
            .from(this::seekToUnfinished);
  }

  public QueuedRequests start() {
    follower.start();
    return this;
  }

  /** From the workers' group's committed offsets on: what they have not finished yet. */
  private void seekToUnfinished(KafkaConsumer<?, ?> c, List<TopicPartition> partitions)
      throws Exception {
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

  @Override
  public void close() {
    follower.close();
  }
}
