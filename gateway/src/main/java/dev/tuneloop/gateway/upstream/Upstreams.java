package dev.tuneloop.gateway.upstream;

import dev.tuneloop.proto.v1.CurationServiceGrpc;
import dev.tuneloop.proto.v1.InferenceServiceGrpc;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.TrainerServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per upstream service. Channels connect lazily and reconnect on their own, so the
 * gateway starts (and answers 503 naming the service) while an upstream is down.
 */
@Singleton
public class Upstreams {
  public static final String INGEST = "ingest-service";
  public static final String CURATION = "curation-service";
  public static final String TRAINER = "trainer-service";
  public static final String INFERENCE = "inference-service";

  private final UpstreamConfig config;
  private final ManagedChannel ingest;
  private final ManagedChannel curation;
  private final ManagedChannel trainer;
  private final ManagedChannel inference;

  public Upstreams(UpstreamConfig config) {
    this.config = config;
    this.ingest = channel(config.ingest());
    this.curation = channel(config.curation());
    this.trainer = channel(config.trainer());
    this.inference = channel(config.inference());
  }

  private static ManagedChannel channel(String target) {
    return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
  }

  public IngestServiceGrpc.IngestServiceBlockingStub ingest() {
    return IngestServiceGrpc.newBlockingStub(ingest)
        .withDeadlineAfter(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Async stub for client streaming (SubmitStream). */
  public IngestServiceGrpc.IngestServiceStub ingestAsync() {
    return IngestServiceGrpc.newStub(ingest)
        .withDeadlineAfter(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  public CurationServiceGrpc.CurationServiceBlockingStub curation() {
    return CurationServiceGrpc.newBlockingStub(curation)
        .withDeadlineAfter(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  public TrainerServiceGrpc.TrainerServiceBlockingStub trainer() {
    return TrainerServiceGrpc.newBlockingStub(trainer)
        .withDeadlineAfter(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  public InferenceServiceGrpc.InferenceServiceBlockingStub inference() {
    return InferenceServiceGrpc.newBlockingStub(inference)
        .withDeadlineAfter(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** For chat: a longer deadline, since generation may take a while. */
  public InferenceServiceGrpc.InferenceServiceBlockingStub inferenceChat() {
    return InferenceServiceGrpc.newBlockingStub(inference)
        .withDeadlineAfter(config.chatTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  public InferenceServiceGrpc.InferenceServiceStub inferenceStreaming() {
    return InferenceServiceGrpc.newStub(inference)
        .withDeadlineAfter(config.chatTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  @PreDestroy
  void close() throws InterruptedException {
    List<ManagedChannel> all = List.of(ingest, curation, trainer, inference);
    all.forEach(ManagedChannel::shutdown);
    for (ManagedChannel channel : all) {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    }
  }
}
