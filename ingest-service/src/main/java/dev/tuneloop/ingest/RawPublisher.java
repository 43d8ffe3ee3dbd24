package dev.tuneloop.ingest;

import dev.tuneloop.proto.v1.Example;
import java.util.concurrent.CompletableFuture;

/**
 * Where accepted examples go: completes only once the record is durably stored (Kafka: acks=all).
 */
@FunctionalInterface
public interface RawPublisher {
  CompletableFuture<Void> publish(Example example);
}
