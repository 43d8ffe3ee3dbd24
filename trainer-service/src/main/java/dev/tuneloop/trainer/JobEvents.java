package dev.tuneloop.trainer;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishes a job's events to training.events (key: job id) and records them in the registry. */
public final class JobEvents {

  private final Producer<String, MessageLite> producer;
  private final String topic;
  private final JobRegistry registry;

  public JobEvents(Producer<String, MessageLite> producer, String topic, JobRegistry registry) {
    this.producer = producer;
    this.topic = topic;
    this.registry = registry;
  }

  /** An event for the job with its identity and the current time filled in. */
  public static TrainingJobEvent.Builder of(TrainingJobSpec spec, JobState state) {
    Instant now = Instant.now();
    return TrainingJobEvent.newBuilder()
        .setJobId(spec.getJobId())
        .setTenant(spec.getTenant())
        .setAdapterName(spec.getAdapterName())
        .setState(state)
        .setSpec(spec)
        .setAt(Timestamps.of(now));
  }

  /**
   * Records the event and sends it (a QUEUED one only when the job has not started), waiting for
   * the broker's acknowledgement (terminal events must not be lost).
   */
  public void publish(TrainingJobEvent event) {
    if (!registry.record(event) && event.getState() == JobState.QUEUED) {
      return; // the job already started (here or elsewhere): a QUEUED now would only mislead
    }
    try {
      producer.send(new ProducerRecord<>(topic, event.getJobId(), event)).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while publishing the event of job " + event.getJobId(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "could not publish the event of job "
              + event.getJobId()
              + " to "
              + topic
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
