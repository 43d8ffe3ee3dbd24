package dev.tuneloop.curation.retrain;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.servicekit.kafka.TopicFollower;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Follows training.events from the beginning (no group: every instance needs the whole history)
 * into the planner, with each event's time, so the planner can time out a job that stopped
 * reporting. Runs as the supervised loop "curation-job-tracker" (a {@link TopicFollower}): a run
 * that dies is restarted and reads the topic from the beginning again.
 */
public final class JobTracker implements AutoCloseable {

  private final RetrainPlanner planner;
  private final TopicFollower<TrainingJobEvent> follower;

  public JobTracker(KafkaSettings kafka, String topic, RetrainPlanner planner) {
    this(kafka, topic, planner, Supervisor.standalone());
  }

  public JobTracker(
      KafkaSettings kafka, String topic, RetrainPlanner planner, Supervisor supervisor) {
    this.planner = planner;
    this.follower =
        new TopicFollower<>(
                kafka,
                topic,
                TrainingJobEvent.parser(),
                "curation-job-tracker",
                supervisor,
                this::record)
            .clientId("job-tracker");
  }

  public JobTracker start() {
    follower.start();
    return this;
  }

  public SupervisedLoop loop() {
    return follower.loop();
  }

  private void record(TrainingJobEvent event, ConsumerRecord<String, Decoded<TrainingJobEvent>> r) {
    Instant at =
        event.hasAt() ? Timestamps.toInstant(event.getAt()) : Instant.ofEpochMilli(r.timestamp());
    planner.jobEvent(event.getJobId(), event.getState(), at);
    if (event.getState() == JobState.SUCCEEDED && event.getEval().getDecision().getPromote()) {
      planner.promoted(event.getJobId());
    }
  }

  @Override
  public void close() {
    follower.close();
  }
}
