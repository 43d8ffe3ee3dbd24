package dev.tuneloop.ingest.kafka;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import dev.tuneloop.ingest.BackpressureException;
import dev.tuneloop.ingest.IngestService;
import dev.tuneloop.ingest.InvalidRecordException;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.RejectedExample;
import dev.tuneloop.proto.v1.Rejection;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Intake from systems that already emit events: records on the incoming topic keyed
 * "{tenant}/{dataset}", the value one JSON record in any supported format, optional headers {@code
 * idempotency-key} and {@code format}. Offsets are committed only after every record of a poll is
 * on examples.raw (or, when invalid, on examples.rejected with its raw bytes), so a crash replays
 * records, and the id check makes the replay harmless. Runs as the supervised loop
 * "ingest-incoming": a run that dies is restarted (with a fresh consumer, from the committed
 * offsets) after a backoff, and {@code /health} is DOWN meanwhile.
 */
public final class IncomingConsumer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IncomingConsumer.class);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(500);

  private final KafkaSettings settings;
  private final String group;
  private final IngestService ingest;
  private final Producer<String, MessageLite> producer;
  private final String incomingTopic;
  private final String rejectedTopic;
  private final SupervisedLoop loop;
  private volatile KafkaConsumer<String, byte[]> consumer;

  public IncomingConsumer(
      KafkaSettings settings,
      String group,
      String incomingTopic,
      String rejectedTopic,
      IngestService ingest,
      Producer<String, MessageLite> producer) {
    this(settings, group, incomingTopic, rejectedTopic, ingest, producer, Supervisor.standalone());
  }

  public IncomingConsumer(
      KafkaSettings settings,
      String group,
      String incomingTopic,
      String rejectedTopic,
      IngestService ingest,
      Producer<String, MessageLite> producer,
      Supervisor supervisor) {
    this.settings = settings;
    this.group = group;
    this.ingest = ingest;
    this.producer = producer;
    this.incomingTopic = incomingTopic;
    this.rejectedTopic = rejectedTopic;
    this.loop = supervisor.loop("ingest-incoming", this::run, this::wakeup);
  }

  public IncomingConsumer start() {
    loop.start();
    return this;
  }

  public SupervisedLoop loop() {
    return loop;
  }

  private void run(SupervisedLoop loop) throws InterruptedException {
    try (var c =
        new KafkaConsumer<>(
            settings.consumerProperties(group),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer = c;
      c.subscribe(List.of(incomingTopic));
      while (!loop.stopping()) {
        loop.alive();
        ConsumerRecords<String, byte[]> batch = c.poll(Duration.ofMillis(500));
        if (batch.isEmpty()) {
          continue;
        }
        try {
          List<CompletableFuture<?>> writes = new ArrayList<>();
          for (ConsumerRecord<String, byte[]> r : batch) {
            writes.add(handle(r));
          }
          CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
          c.commitSync();
        } catch (BackpressureException | CompletionException e) {
          // Ingest is saturated or Kafka did not take a write: transient, so the batch is read
          // again (ids make the rewrite of what did get through harmless) within this run; only
          // what is not transient ends the run for the supervisor to restart.
          log.warn("incoming batch from {} will be retried: {}", incomingTopic, e.getMessage());
          rewind(c, batch);
          Thread.sleep(RETRY_PAUSE.toMillis());
        }
      }
    } catch (WakeupException e) {
      if (!loop.stopping()) {
        throw e;
      }
    }
  }

  /** Seeks every partition of the batch back to its first record, so the next poll redoes it. */
  private static void rewind(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> b) {
    for (TopicPartition partition : b.partitions()) {
      c.seek(partition, b.records(partition).getFirst().offset());
    }
  }

  private void wakeup() {
    var c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  private CompletableFuture<?> handle(ConsumerRecord<String, byte[]> r) {
    try {
      String[] td = Topics.splitKey(r.key());
      String json = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
      Example example =
          ingest
              .intake()
              .toExample(td[0], td[1], json, header(r, "format"), header(r, "idempotency-key"));
      return ingest.write(example);
    } catch (InvalidRecordException | IllegalArgumentException e) {
      return deadLetter(r, e.getMessage());
    }
  }

  private CompletableFuture<?> deadLetter(ConsumerRecord<String, byte[]> r, String why) {
    RejectedExample rejected =
        RejectedExample.newBuilder()
            .setRawPayload(r.value() == null ? ByteString.EMPTY : ByteString.copyFrom(r.value()))
            .addRejections(
                Rejection.newBuilder().setReason(RejectReason.MALFORMED_RECORD).setDetail(why))
            .setSourceTopic(r.topic())
            .setSourcePartition(r.partition())
            .setSourceOffset(r.offset())
            .build();
    CompletableFuture<Void> sent = new CompletableFuture<>();
    producer.send(
        new ProducerRecord<>(
            rejectedTopic, r.key() == null ? "unknown/unknown" : r.key(), rejected),
        (m, e) -> {
          if (e == null) {
            sent.complete(null);
          } else {
            sent.completeExceptionally(e);
          }
        });
    return sent;
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    loop.close();
  }
}
