package dev.tuneloop.ingest.kafka;

import com.google.protobuf.MessageLite;
import dev.tuneloop.ingest.RawPublisher;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.Example;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes examples to examples.raw keyed by "{tenant}/{dataset}" (one dataset stays on one
 * partition, in order). The producer is idempotent with acks=all, so the future completes only once
 * every in-sync replica has the record, and the producer's own retries never duplicate it.
 */
public final class KafkaRawPublisher implements RawPublisher {

  private final Producer<String, MessageLite> producer;
  private final String topic;

  public KafkaRawPublisher(Producer<String, MessageLite> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  @Override
  public CompletableFuture<Void> publish(Example example) {
    CompletableFuture<Void> acked = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(
              topic, Topics.datasetKey(example.getTenant(), example.getDataset()), example),
          (metadata, error) -> {
            if (error == null) {
              acked.complete(null);
            } else {
              acked.completeExceptionally(error);
            }
          });
    } catch (RuntimeException e) {
      acked.completeExceptionally(e);
    }
    return acked;
  }
}
