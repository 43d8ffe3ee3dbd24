package dev.tuneloop.gateway.upstream;

import dev.tuneloop.proto.v1.AdapterRegistryServiceGrpc;
import dev.tuneloop.proto.v1.CurationServiceGrpc;
import dev.tuneloop.proto.v1.InferenceServiceGrpc;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.TrainerServiceGrpc;
import dev.tuneloop.servicekit.auth.AuthConfiguration;
import dev.tuneloop.servicekit.auth.GrpcAuthInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per upstream service. Channels connect lazily and reconnect on their own, so the
 * gateway starts (and answers 503 naming the service) while an upstream is down. Every stub is for
 * one tenant: its calls carry the gateway's service token and the tenant the API key authenticated
 * ({@code x-tuneloop-tenant}), which is what the services scope the call to.
 */
@Context // created at start, so a missing service token stops the start
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

  private final String serviceToken;

  public Upstreams(UpstreamConfig config, AuthConfiguration auth) {
    this.config = config;
    this.serviceToken = config.serviceToken() == null ? "" : config.serviceToken().strip();
    if (serviceToken.isEmpty() && auth.enabled()) {
      throw new IllegalStateException(
          "tuneloop.gateway.upstreams.service-token (env GATEWAY_SERVICE_TOKEN) is empty: the"
              + " services accept the gateway only with one of their tuneloop.auth.service-tokens"
              + " (see docs/security.md), or set tuneloop.auth.enabled=false everywhere");
    }
    this.ingest = channel(config.ingest());
    this.curation = channel(config.curation());
    this.trainer = channel(config.trainer());
    this.inference = channel(config.inference());
  }

  private static ManagedChannel channel(String target) {
    return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
  }

  public IngestServiceGrpc.IngestServiceBlockingStub ingest(String tenant) {
    return forTenant(IngestServiceGrpc.newBlockingStub(ingest), tenant, config.callTimeout());
  }

  /** Async stub for client streaming (SubmitStream). */
  public IngestServiceGrpc.IngestServiceStub ingestAsync(String tenant) {
    return forTenant(IngestServiceGrpc.newStub(ingest), tenant, config.callTimeout());
  }

  public CurationServiceGrpc.CurationServiceBlockingStub curation(String tenant) {
    return forTenant(CurationServiceGrpc.newBlockingStub(curation), tenant, config.callTimeout());
  }

  public TrainerServiceGrpc.TrainerServiceBlockingStub trainer(String tenant) {
    return forTenant(TrainerServiceGrpc.newBlockingStub(trainer), tenant, config.callTimeout());
  }

  /**
   * Adapter versions, aliases, golden prompts and promotion policies: served by trainer-service on
   * its job address (errors name {@link #TRAINER}).
   */
  public AdapterRegistryServiceGrpc.AdapterRegistryServiceBlockingStub registry(String tenant) {
    return forTenant(
        AdapterRegistryServiceGrpc.newBlockingStub(trainer), tenant, config.callTimeout());
  }

  public InferenceServiceGrpc.InferenceServiceBlockingStub inference(String tenant) {
    return forTenant(InferenceServiceGrpc.newBlockingStub(inference), tenant, config.callTimeout());
  }

  /** For chat: a longer deadline, since generation may take a while. */
  public InferenceServiceGrpc.InferenceServiceBlockingStub inferenceChat(String tenant) {
    return forTenant(InferenceServiceGrpc.newBlockingStub(inference), tenant, config.chatTimeout());
  }

  public InferenceServiceGrpc.InferenceServiceStub inferenceStreaming(String tenant) {
    return forTenant(InferenceServiceGrpc.newStub(inference), tenant, config.chatTimeout());
  }

  /**
   * The stub with the call credentials of the gateway acting for {@code tenant}, and a deadline.
   */
  private <S extends AbstractStub<S>> S forTenant(S stub, String tenant, Duration timeout) {
    Metadata headers = new Metadata();
    if (!serviceToken.isEmpty()) {
      headers.put(GrpcAuthInterceptor.AUTHORIZATION, "Bearer " + serviceToken);
    }
    headers.put(GrpcAuthInterceptor.TENANT, tenant);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
