package dev.tuneloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.servicekit.supervision.Supervisor;
import dev.tuneloop.trainer.testing.SampleData;
import dev.tuneloop.trainer.testing.TrainerHarness;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Bounded attempts, on the real broker: a job whose attempts die with an {@code Error} is retried
 * up to max-attempts and then FAILED with the reason, the worker goes on with the next job, and a
 * worker that inherits a job from a trainer that died in its last attempt fails it instead of
 * running it again. The job body is a stand-in here (an {@code OutOfMemoryError} on demand); the
 * worker, its consumer group, the events and the registry are the real ones.
 */
@WithInfra
class TrainingAttemptsTest {

  @Test
  void anErrorFailsTheAttemptThenTheJobAfterMaxAttemptsAndTheWorkerGoesOn(Infra infra)
      throws Exception {
    String requests = infra.topic("training.requests-attempts");
    String eventsTopic = infra.topic("training.events-attempts");
    String snapshot =
        TrainerHarness.writeSnapshot(infra.objectStore(), "acme", "tries", SampleData.foobear());
    TrainingJobSpec.Builder spec =
        TrainingJobSpec.newBuilder()
            .setTenant("acme")
            .setAdapterName("tries")
            .setBaseModel("stories260K")
            .setDatasetSnapshot(snapshot);
    List<String> attempts = new CopyOnWriteArrayList<>();
    try (var producer =
        new KafkaProducer<String, MessageLite>(
            infra.kafka().producerProperties(),
            new StringSerializer(),
            new ProtobufSerializer<>())) {
      // What a trainer that died (the JVM gone) during the job's second attempt left behind.
      TrainingJobSpec crashed = spec.clone().setJobId("crashed").build();
      producer
          .send(
              new ProducerRecord<>(
                  eventsTopic,
                  "crashed",
                  JobEvents.of(crashed, JobState.RUNNING).setAttempt(2).setStep(7).build()))
          .get();

      var registry = new JobRegistry();
      var events = new JobEvents(producer, eventsTopic, registry);
      TrainingWorker.Job job =
          (s, stop, attempt, overTime) -> {
            attempts.add(s.getJobId() + "#" + attempt);
            if (s.getJobId().equals("oom")) {
              throw new OutOfMemoryError("Java heap space");
            }
            events.publish(JobEvents.of(s, JobState.SUCCEEDED).setAttempt(attempt).build());
            return JobRunner.Ending.TERMINAL_ENDING;
          };
      try (var view = new EventsView(infra.kafka(), eventsTopic, registry).start();
          var worker =
              new TrainingWorker(
                  infra.kafka(),
                  infra.group("trainers-attempts"),
                  requests,
                  job,
                  events,
                  registry,
                  new RequestCheck(infra.objectStore(), TrainerLimits.defaults()),
                  producer,
                  new TrainingWorker.Limits(
                      infra.topic("training.requests.rejected-attempts"), 2, Duration.ofHours(1)),
                  view.caughtUp(),
                  Supervisor.standalone())) {
        worker.start();
        for (String id : new String[] {"crashed", "oom", "fine"}) {
          producer.send(
              new ProducerRecord<>(requests, "acme/tries", spec.clone().setJobId(id).build()));
        }
        producer.flush();
        await()
            .atMost(Duration.ofMinutes(1))
            .until(() -> registry.isTerminal("fine") && registry.isTerminal("oom"));

        TrainingJobEvent oom = registry.get("oom").orElseThrow().getLatest();
        assertThat(oom.getState()).isEqualTo(JobState.FAILED);
        assertThat(oom.getError())
            .contains("gave up after 2 attempt(s)")
            .contains("trainer.max-attempts")
            .contains("OutOfMemoryError: Java heap space");
        assertThat(oom.getAttempt()).isEqualTo(2);
        assertThat(registry.get("fine").orElseThrow().getLatest().getState())
            .isEqualTo(JobState.SUCCEEDED);

        TrainingJobEvent crashedEnd = registry.get("crashed").orElseThrow().getLatest();
        assertThat(crashedEnd.getState()).isEqualTo(JobState.FAILED);
        assertThat(crashedEnd.getError())
            .contains("gave up after 2 attempt(s)")
            .contains("the trainer stopped during attempt 2");
        assertThat(attempts).containsExactly("oom#1", "oom#2", "fine#1");
        assertThat(worker.loop().status().restarts()).isZero();
      }
      var onTopic =
          TrainerHarness.readAll(infra.kafka(), eventsTopic, TrainingJobEvent.parser()).stream()
              .filter(e -> e.getJobId().equals("oom"))
              .toList();
      assertThat(onTopic)
          .anySatisfy(
              e -> {
                assertThat(e.getState()).isEqualTo(JobState.RUNNING);
                assertThat(e.getAttempt()).isEqualTo(1);
                assertThat(e.getMessage()).contains("attempt 1 of 2 failed; retrying");
              });
    }
  }
}
