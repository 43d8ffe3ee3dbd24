package dev.tuneloop.local.crash;

import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.TrainerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every gRPC channel and stub the crash tests open, in one place, each call carrying the tenant key
 * of "acme" ({@link CrashCluster} configures the services with it). One channel per target, kept
 * across a service's restarts (gRPC reconnects by itself); a stub per call, since a stub's deadline
 * is fixed when it is made.
 */
final class Clients implements AutoCloseable {
  /** The tenant key the crash cluster's services accept for tenant "acme". */
  static final String TENANT_KEY = "sk-crash-" + java.util.UUID.randomUUID();

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
        target,
        t ->
            ManagedChannelBuilder.forTarget(t)
                .usePlaintext()
                .intercept(MetadataUtils.newAttachHeadersInterceptor(credentials()))
                .build());
  }

  private static Metadata credentials() {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + TENANT_KEY);
    return headers;
  }

  @Override
  public synchronized void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
