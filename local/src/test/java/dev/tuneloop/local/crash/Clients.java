package dev.tuneloop.local.crash;

import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.TrainerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every gRPC channel and stub the crash tests open, in one place: when the services start asking
 * for credentials, this is the one class that has to send them. One channel per target, kept across
 * a service's restarts (gRPC reconnects by itself); a stub per call, since a stub's deadline is
 * fixed when it is made.
 */
final class Clients implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new HashMap<>();

  /** A stub for one ingest call that must be answered within {@code deadline}. */
  IngestServiceGrpc.IngestServiceBlockingStub ingest(String target, Duration deadline) {
    return IngestServiceGrpc.newBlockingStub(channel(target))
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A stub for one trainer call that must be answered within {@code deadline}. */
  TrainerServiceGrpc.TrainerServiceBlockingStub trainer(String target, Duration deadline) {
    return TrainerServiceGrpc.newBlockingStub(channel(target))
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized ManagedChannel channel(String target) {
    return channels.computeIfAbsent(
        target, t -> ManagedChannelBuilder.forTarget(t).usePlaintext().build());
  }

  @Override
  public synchronized void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
