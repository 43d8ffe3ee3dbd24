package dev.tuneloop.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.MessageLite;
import dev.tuneloop.ingest.InFlightLimiter;
import dev.tuneloop.ingest.IngestLimits;
import dev.tuneloop.ingest.IngestService;
import dev.tuneloop.ingest.Intake;
import dev.tuneloop.ingest.RawPublisher;
import dev.tuneloop.ingest.RecentIds;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.Example;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A transient failure (Kafka not taking a write, ingest saturated) does not stop the incoming
 * consumer: the batch is read again and its records arrive on examples.raw once.
 */
@WithInfra
class IncomingConsumerRecoveryTest {

  @Test
  void aFailedWriteIsRetriedAndTheConsumerKeepsConsuming(Infra infra) throws Exception {
    KafkaSettings kafka = infra.kafka();
    String incoming = infra.topic("examples.incoming");
    String raw = infra.topic("examples.raw");
    try (KafkaProducer<String, MessageLite> producer =
            new KafkaProducer<>(
                kafka.producerProperties(), new StringSerializer(), new ProtobufSerializer<>());
        KafkaProducer<String, byte[]> events =
            new KafkaProducer<>(
                kafka.producerProperties(), new StringSerializer(), new ByteArraySerializer())) {
      RawPublisher kafkaRaw = new KafkaRawPublisher(producer, raw);
      AtomicInteger attempts = new AtomicInteger();
      RawPublisher failingOnce =
          example ->
              attempts.getAndIncrement() == 0
                  ? CompletableFuture.failedFuture(new IllegalStateException("broker went away"))
                  : kafkaRaw.publish(example);
      IngestService service =
          new IngestService(
              new Intake(IngestLimits.DEFAULTS, Clock.systemUTC()),
              failingOnce,
              new RecentIds(100),
              new InFlightLimiter(100, Duration.ofSeconds(1)));
      events
          .send(
              new ProducerRecord<>(
                  incoming,
                  "acme/support",
                  "{\"prompt\": \"Hi\", \"response\": \"Hello\"}".getBytes(StandardCharsets.UTF_8)))
          .get();
      IncomingConsumer consumer =
          new IncomingConsumer(
              kafka, infra.group("incoming"), incoming, infra.topic("rejected"), service, producer);
      consumer.start();
      try {
        // Before, the first failure ended the consumer's loop and the record never arrived.
        List<Example> written = readRaw(kafka, infra.group("reader"), raw, 1);
        assertThat(written).hasSize(1);
        assertThat(attempts.get()).isEqualTo(2);
        // retried within the run: a transient failure is not a crash for the supervisor
        assertThat(consumer.loop().status().up()).isTrue();
        assertThat(consumer.loop().status().restarts()).isZero();
      } finally {
        consumer.close();
      }
    }
  }

  /** Reads until {@code atLeast} records, then one more poll for any written twice. */
  private static List<Example> readRaw(
      KafkaSettings kafka, String group, String topic, int atLeast) {
    List<Example> out = new ArrayList<>();
    try (KafkaConsumer<String, Decoded<Example>> c =
        new KafkaConsumer<>(
            kafka.consumerProperties(group),
            new StringDeserializer(),
            new ProtobufDeserializer<>(Example.parser()))) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a safety net only
      boolean extra = false;
      while (System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(500)).forEach(r -> out.add(r.value().value()));
        if (out.size() >= atLeast) {
          if (extra) {
            break;
          }
          extra = true;
        }
      }
    }
    return out;
  }
}
