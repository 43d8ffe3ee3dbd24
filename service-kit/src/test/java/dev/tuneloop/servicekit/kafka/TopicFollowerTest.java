package dev.tuneloop.servicekit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.TrainingJobEvent;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A group-less follower of a Protobuf topic, on the real broker: reads it whole, skips what it
 * cannot read, and reads it again from the start after a restart.
 */
@WithInfra
class TopicFollowerTest {

  private static final Supervisor FAST_RESTARTS =
      new Supervisor(new SupervisedLoop.Backoff(Duration.ofMillis(100), Duration.ofMillis(100)));

  @Test
  void readsEveryRecordFromTheBeginningAndIsCaughtUpOnlyAfterWhatTheTopicHeld(Infra infra)
      throws Exception {
    String topic = infra.topic("followed");
    createTopic(infra, topic, 2);
    try (var producer = producer(infra)) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, i % 2, "job-" + i, event("job-" + i)));
      }
      producer.send(new ProducerRecord<>(topic, 0, "garbage", new byte[] {(byte) 0xff, 0x01}));
      producer.send(new ProducerRecord<>(topic, 1, "tombstone", null));
      producer.flush();
    }
    List<String> read = new CopyOnWriteArrayList<>();
    try (var follower =
        follower(
                infra,
                topic,
                Supervisor.standalone(),
                (event, record) -> read.add(event.getJobId()))
            .start()) {
      assertThat(follower.caughtUp().await(1, TimeUnit.MINUTES)).isTrue();
      // Everything the topic held at the start is handed over before caughtUp opens; the record
      // that does not parse and the tombstone are passed over.
      assertThat(read)
          .containsExactlyInAnyOrder(
              "job-0", "job-1", "job-2", "job-3", "job-4", "job-5", "job-6", "job-7", "job-8",
              "job-9");
      assertThat(follower.loop().status().up()).isTrue();
    }
  }

  @Test
  void aTopicWithoutRecordsYetDoesNotHoldUpCaughtUpAndLaterRecordsAreHandedOver(Infra infra)
      throws Exception {
    String topic = infra.topic("later"); // not created: the follower may find it missing
    List<String> read = new CopyOnWriteArrayList<>();
    try (var follower =
        follower(
                infra,
                topic,
                Supervisor.standalone(),
                (event, record) -> read.add(event.getJobId()))
            .start()) {
      assertThat(follower.caughtUp().await(1, TimeUnit.MINUTES)).isTrue();
      try (var producer = producer(infra)) {
        producer.send(new ProducerRecord<>(topic, "first", event("first"))).get();
      }
      await().atMost(Duration.ofMinutes(1)).until(() -> read.contains("first"));
    }
  }

  @Test
  void aRunThatDiesIsRestartedAndReadsTheTopicAgainFromItsStartPosition(Infra infra)
      throws Exception {
    String topic = infra.topic("restarted");
    createTopic(infra, topic, 1);
    try (var producer = producer(infra)) {
      for (String id : List.of("a", "b", "c")) {
        producer.send(new ProducerRecord<>(topic, id, event(id)));
      }
      producer.flush();
    }
    var ready = new CountDownLatch(1);
    var failOnce = new AtomicBoolean(true);
    List<String> read = new CopyOnWriteArrayList<>();
    try (var follower =
        follower(
                infra,
                topic,
                FAST_RESTARTS,
                (event, record) -> {
                  read.add(event.getJobId() + "@" + record.offset());
                  if (event.getJobId().equals("b") && failOnce.getAndSet(false)) {
                    throw new IllegalStateException("handler broke");
                  }
                })
            .after(ready)
            .from((c, partitions) -> c.seek(partitions.getFirst(), 1)) // skip "a"
            .start()) {
      ready.countDown(); // each run waits for it before it opens its consumer
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> read.size() == 3 && follower.loop().status().up());
      // The first run died on "b"; the second started at offset 1 again.
      assertThat(read).containsExactly("b@1", "b@1", "c@2");
      assertThat(follower.loop().status().restarts()).isEqualTo(1);
      assertThat(follower.loop().status().lastError()).contains("handler broke");
    }
  }

  /** A follower of training events named after its topic. */
  private static TopicFollower<TrainingJobEvent> follower(
      Infra infra,
      String topic,
      Supervisor supervisor,
      TopicFollower.Handler<TrainingJobEvent> handler) {
    return new TopicFollower<>(
        infra.kafka(), topic, TrainingJobEvent.parser(), topic, supervisor, handler);
  }

  private static void createTopic(Infra infra, String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(infra.kafka().adminProperties())) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  private static KafkaProducer<String, byte[]> producer(Infra infra) {
    return new KafkaProducer<>(
        infra.kafka().producerProperties(), new StringSerializer(), new ByteArraySerializer());
  }

  private static byte[] event(String jobId) {
    return TrainingJobEvent.newBuilder()
        .setJobId(jobId)
        .setState(JobState.RUNNING)
        .build()
        .toByteArray();
  }
}
