package dev.tuneloop.gateway.health;

import dev.tuneloop.gateway.upstream.UpstreamConfig;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code /health} and {@code /health/readiness} component "upstreams": UP only while every service
 * behind the gateway answers its standard gRPC health check SERVING, so the gateway is not called
 * ready while its API would still answer 503. {@code /health/liveness} leaves it out: a gateway
 * whose upstreams are down is alive and should not be restarted for it. Off with {@code
 * tuneloop.gateway.readiness.require-upstreams=false}.
 */
@Singleton
@Readiness
@Requires(property = "tuneloop.gateway.readiness.require-upstreams", notEquals = "false")
public class UpstreamsHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  private static final long TIMEOUT_MS = 2_000;

  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();

  UpstreamsHealthIndicator(UpstreamConfig config) {
    // Channels of its own: a health probe must not queue behind (or disturb) API calls.
    channels.put("ingest-service", channel(config.ingest()));
    channels.put("curation-service", channel(config.curation()));
    channels.put("trainer-service", channel(config.trainer()));
    channels.put("inference-service", channel(config.inference()));
  }

  private static ManagedChannel channel(String target) {
    return Grpc.newChannelBuilder(target, InsecureChannelCredentials.create()).build();
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    Map<String, CompletableFuture<String>> checks = new LinkedHashMap<>();
    channels.forEach(
        (name, channel) ->
            checks.put(name, CompletableFuture.supplyAsync(() -> check(channel), probes)));
    Map<String, Object> details = new LinkedHashMap<>();
    boolean allServing = true;
    for (var entry : checks.entrySet()) {
      String status = entry.getValue().join();
      allServing &= status.equals("SERVING");
      details.put(entry.getKey(), status);
    }
    healthStatus = allServing ? HealthStatus.UP : HealthStatus.DOWN;
    return details;
  }

  /** SERVING, NOT_SERVING, or UNAVAILABLE when it does not answer (no address or port leaks). */
  private static String check(ManagedChannel channel) {
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .check(HealthCheckRequest.newBuilder().setService("").build())
          .getStatus()
          .name();
    } catch (RuntimeException e) {
      return "UNAVAILABLE";
    }
  }

  @Override
  protected String getName() {
    return "upstreams";
  }

  @PreDestroy
  void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    probes.shutdownNow();
  }
}
