package dev.tuneloop.servicekit.testing;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.servicekit.supervision.Supervisor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.micronaut.context.ApplicationContext;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Boots a service against the shared test infrastructure and asks its HTTP and gRPC health
 * endpoints.
 */
public final class ServiceProbe {
  private ServiceProbe() {}

  /** Properties that point a service at {@code infra} on random ports; {@code overrides} win. */
  public static Map<String, Object> properties(Infra infra, Map<String, Object> overrides) {
    Map<String, Object> props = new HashMap<>();
    props.put("micronaut.server.port", -1);
    props.put("grpc.server.port", "${random.port}");
    props.put("kafka.bootstrap-servers", infra.bootstrapServers());
    props.put("kafka.partitions", 1);
    props.put("s3.endpoint", infra.s3().endpoint());
    props.put("s3.access-key", infra.s3().accessKey());
    props.put("s3.secret-key", infra.s3().secretKey());
    props.put("s3.bucket", infra.s3().bucket());
    props.put("s3.region", infra.s3().region());
    props.putAll(TestCredentials.properties());
    props.putAll(overrides);
    return props;
  }

  /**
   * Starts the application context with its HTTP server (the gRPC server follows the HTTP server's
   * start).
   */
  public static EmbeddedServer start(Infra infra, Map<String, Object> overrides) {
    return ApplicationContext.run(EmbeddedServer.class, properties(infra, overrides));
  }

  /** Status code and body of {@code GET /health}. */
  public static HttpResponse<String> httpHealth(EmbeddedServer server) throws Exception {
    try (HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(server.getURL() + "/health"))
              .timeout(Duration.ofSeconds(10))
              .GET()
              .build();
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  /**
   * Makes the service's supervised loop {@code loop} fail (a fault injected into its body), then
   * waits until {@code /health} answers 503 naming the loop DOWN, and again until it answers 200
   * with the loop restarted. Returns the two bodies (down, up). Start the service with a {@code
   * tuneloop.supervision.initial-backoff} of a few seconds so the DOWN window is seen.
   */
  public static List<String> failLoopAndAwaitRestart(
      EmbeddedServer server, String loop, Throwable fault) throws Exception {
    var supervisor = server.getApplicationContext().getBean(Supervisor.class);
    var target =
        supervisor
            .find(loop)
            .orElseThrow(() -> new AssertionError("no supervised loop named " + loop));
    int restarts = target.status().restarts();
    awaitHealth(server, 200, "\"" + loop + "\":{\"status\":\"UP\"");
    target.injectFault(fault);
    String down = awaitHealth(server, 503, "\"" + loop + "\":{\"status\":\"DOWN\"");
    String up = awaitHealth(server, 200, "\"" + loop + "\":{\"status\":\"UP\"");
    if (target.status().restarts() != restarts + 1) {
      throw new AssertionError(loop + " restarted " + target.status().restarts() + " times");
    }
    return List.of(down, up);
  }

  /** Polls {@code /health} until it answers {@code status} with a body containing {@code text}. */
  public static String awaitHealth(EmbeddedServer server, int status, String text)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a safety net only
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      last = httpHealth(server);
      if (last.statusCode() == status && last.body().contains(text)) {
        return last.body();
      }
      Thread.sleep(100);
    }
    throw new AssertionError(
        "/health never answered "
            + status
            + " with "
            + text
            + "; last: "
            + (last == null ? "none" : last.statusCode() + " " + last.body()));
  }

  /**
   * Management endpoints no service may expose: read configuration, beans, threads or routes,
   * change log levels, refresh or stop the context.
   */
  public static final List<String> LOCKED_ENDPOINTS =
      List.of(
          "GET /loggers",
          "GET /beans",
          "GET /threaddump",
          "GET /env",
          "GET /routes",
          "GET /info",
          "GET /caches",
          "GET /metrics",
          "POST /refresh",
          "POST /stop");

  /**
   * The {@link #LOCKED_ENDPOINTS} that answered anything but 401, 403 or 404, with the status.
   *
   * @param bearer sent as {@code Authorization: Bearer}, or null for none
   */
  public static List<String> exposedManagementEndpoints(EmbeddedServer server, String bearer)
      throws Exception {
    List<String> exposed = new java.util.ArrayList<>();
    try (HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      for (String endpoint : LOCKED_ENDPOINTS) {
        String[] methodAndPath = endpoint.split(" ");
        HttpRequest.Builder request =
            HttpRequest.newBuilder(URI.create(server.getURL() + methodAndPath[1]))
                .timeout(Duration.ofSeconds(10))
                .method(methodAndPath[0], HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json");
        if (bearer != null) {
          request.header("Authorization", "Bearer " + bearer);
        }
        int status =
            client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 401 && status != 403 && status != 404) {
          exposed.add(endpoint + " -> " + status);
        }
      }
    }
    return exposed;
  }

  /** The standard gRPC health check of the whole server (service name ""). */
  public static HealthCheckResponse.ServingStatus grpcHealth(ApplicationContext context)
      throws InterruptedException {
    int port = context.getBean(GrpcEmbeddedServer.class).getPort();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService("").build())
          .getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * The service names the server lists through gRPC server reflection (what grpcurl list shows).
   */
  public static List<String> grpcServices(ApplicationContext context) throws Exception {
    int port = context.getBean(GrpcEmbeddedServer.class).getPort();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    try {
      CompletableFuture<List<String>> names = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                      names.complete(
                          response.getListServicesResponse().getServiceList().stream()
                              .map(ServiceResponse::getName)
                              .toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                      names.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      requests.onCompleted();
      return names.get(10, TimeUnit.SECONDS);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
