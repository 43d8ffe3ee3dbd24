package dev.tuneloop.trainer;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.servicekit.kafka.TopicFollower;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Reads training.events from the beginning into the {@link JobRegistry}, so this instance knows
 * jobs run by other workers and sees cancellations made through any instance. Opens {@link
 * #caughtUp()} once it has read what the topic held when it started. Runs as the supervised loop
 * "training-events-view" (a {@link TopicFollower}, no group: every instance reads it all): a run
 * that dies is restarted and reads the topic again (the registry ignores what it already has).
 */
public final class EventsView implements AutoCloseable {

  private final TopicFollower<TrainingJobEvent> follower;

  public EventsView(KafkaSettings kafka, String topic, JobRegistry registry) {
    this(kafka, topic, registry, Supervisor.standalone());
  }

  public EventsView(
      KafkaSettings kafka, String topic, JobRegistry registry, Supervisor supervisor) {
    this.follower =
        new TopicFollower<>(
                kafka,
                topic,
                TrainingJobEvent.parser(),
                "training-events-view",
                supervisor,
                (event, record) -> registry.record(event))
            .poll(Duration.ofMillis(200));
  }

  public EventsView start() {
    follower.start();
    return this;
  }

  public CountDownLatch caughtUp() {
    return follower.caughtUp();
  }

  @Override
  public void close() {
    follower.close(); // opens caughtUp too: never leave a worker waiting on a closed view
  }
}
