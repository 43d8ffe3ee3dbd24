package dev.tuneloop.local;

import dev.tuneloop.platform.embedded.EmbeddedKafka;
import dev.tuneloop.platform.embedded.EmbeddedS3;
import dev.tuneloop.platform.embedded.FreePorts;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole platform on one machine: an embedded Kafka broker and S3 server in this JVM, and each
 * service in a JVM of its own, pointed at them. {@link #start} returns once every service answers
 * {@code /health} (the gateway's only once the services behind it answer: its readiness); {@link
 * #close} stops the services (gracefully, gateway first) and then the infrastructure.
 *
 * <p>As an orchestrator would, it restarts a service process that exits on its own, after a backoff
 * that doubles with each exit in a row (1 s up to 30 s; back to 1 s once the service was healthy
 * again), and says so on the console.
 */
public final class LocalPlatform implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalPlatform.class);
  private static final int KAFKA_PORT = 9092;
  private static final int S3_PORT = 9000;

  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final EmbeddedKafka kafka;
  private final EmbeddedS3 s3;
  private final List<ServiceProcess> processes = new ArrayList<>();
  private final List<ServiceProcess> replicas = new ArrayList<>();
  private final Map<String, Map<String, String>> propertiesByService = new HashMap<>();
  private final Map<String, Integer> exitsInARow = new HashMap<>();
  private final PrintStream out;
  private final Duration healthTimeout;
  private final Thread watcher =
      Thread.ofPlatform().name("tuneloop-restarts").daemon().unstarted(this::watch);
  private volatile boolean closing;
  private final Endpoints endpoints;

  private LocalPlatform(LocalOptions options, PrintStream out) {
    this.out = out;
    this.healthTimeout = options.healthTimeout();
    try {
      Files.createDirectories(options.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create data directory " + options.dataDir(), e);
    }
    int kafkaPort = options.defaultPorts() ? portOrFree(KAFKA_PORT) : 0;
    int s3Port = options.defaultPorts() ? portOrFree(S3_PORT) : 0;
    CompletableFuture<EmbeddedS3> s3Start =
        CompletableFuture.supplyAsync(
            () ->
                EmbeddedS3.start(
                    options.dataDir().resolve("s3"), s3Port, EmbeddedS3.DEFAULT_BUCKET));
    this.kafka = EmbeddedKafka.start(options.dataDir().resolve("kafka"), kafkaPort);
    this.s3 = s3Start.join();

    try {
      List<ServiceSpec> specs =
          ServiceCatalog.load(options.services()).stream()
              .map(
                  spec ->
                      options.defaultPorts()
                          ? spec.withPorts(portOrFree(spec.httpPort()), portOrFree(spec.grpcPort()))
                          : spec.withPorts(FreePorts.next(), FreePorts.next()))
              .toList();
      Map<String, String> common = commonProperties(options, specs);
      for (ServiceSpec spec : specs) {
        Map<String, String> props = new HashMap<>(common);
        props.put("micronaut.server.port", Integer.toString(spec.httpPort()));
        props.put("grpc.server.port", Integer.toString(spec.grpcPort()));
        propertiesByService.put(spec.name(), props);
        processes.add(ServiceProcess.start(spec, props, out));
      }
      this.endpoints = endpoints(specs);
    } catch (RuntimeException e) {
      close(); // e.g. a service not built: stop what already runs
      throw e;
    }
  }

  /**
   * Starts everything and waits until every service is healthy; on any failure, stops what was
   * started.
   */
  public static LocalPlatform start(LocalOptions options, PrintStream out) {
    LocalPlatform platform = new LocalPlatform(options, out);
    try {
      platform.awaitHealthy(options.healthTimeout());
      platform.watcher.start();
      return platform;
    } catch (RuntimeException e) {
      platform.close();
      throw e;
    }
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  /** The service processes running now (a restarted service has a new one). */
  public synchronized List<ServiceProcess> processes() {
    return List.copyOf(processes);
  }

  /**
   * Starts one more instance of a service of this platform, with the same settings on ports of its
   * own, and returns once it is healthy: a second inference replica, say, to watch two replicas
   * switch versions together. Replicas are not restarted when they exit; they stop with the
   * platform.
   */
  public synchronized ServiceProcess startReplica(String name) {
    Map<String, String> props = propertiesByService.get(name);
    if (props == null)
      throw new IllegalArgumentException(name + " is not a service of this platform");
    ServiceSpec spec =
        ServiceCatalog.load(List.of(name)).getFirst().withPorts(FreePorts.next(), FreePorts.next());
    Map<String, String> own = new HashMap<>(props);
    own.put("micronaut.server.port", Integer.toString(spec.httpPort()));
    own.put("grpc.server.port", Integer.toString(spec.grpcPort()));
    ServiceProcess replica = ServiceProcess.start(spec, own, out);
    replicas.add(replica);
    replica.awaitHealthy(healthTimeout);
    return replica;
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public EmbeddedS3 s3() {
    return s3;
  }

  @Override
  public void close() {
    closing = true; // a service exiting from here on is expected
    watcher.interrupt();
    try {
      if (watcher.isAlive()) watcher.join(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopAll();
  }

  private synchronized void stopAll() {
    for (ServiceProcess replica : replicas) replica.stop(Duration.ofSeconds(15));
    replicas.clear();
    for (ServiceProcess process : processes.reversed()) process.stop(Duration.ofSeconds(15));
    processes.clear();
    kafka.close();
    s3.close();
  }

  /** Every 500 ms: a service that exited is started again after its backoff. */
  private void watch() {
    try {
      while (!closing) {
        for (int i = 0; i < processes().size() && !closing; i++) {
          ServiceProcess process = processes().get(i);
          if (!process.isAlive()) restart(i, process);
        }
        Thread.sleep(500);
      }
    } catch (InterruptedException e) {
      // closing
    }
  }

  private void restart(int index, ServiceProcess dead) throws InterruptedException {
    String name = dead.spec().name();
    int exits = exitsInARow.merge(name, 1, Integer::sum);
    long millis =
        Math.min(FIRST_BACKOFF.toMillis() << Math.min(exits - 1, 10), MAX_BACKOFF.toMillis());
    out.println(
        "tuneloop: "
            + name
            + " exited unexpectedly (exit code "
            + dead.exitCode()
            + "); restarting it in "
            + millis / 1000.0
            + " s (exit "
            + exits
            + " in a row)");
    Thread.sleep(millis);
    ServiceProcess fresh;
    synchronized (this) {
      if (closing) return;
      try {
        fresh = ServiceProcess.start(dead.spec(), propertiesByService.get(name), out);
      } catch (RuntimeException e) { // cannot even launch: try again after a longer wait
        out.println("tuneloop: cannot restart " + name + ": " + e.getMessage());
        return;
      }
      processes.set(index, fresh);
    }
    try {
      fresh.awaitHealthy(healthTimeout);
      exitsInARow.remove(name);
      out.println("tuneloop: " + name + " restarted and healthy at " + fresh.healthUrl());
    } catch (IllegalStateException e) {
      if (!closing)
        out.println("tuneloop: " + name + " did not come back healthy: " + e.getMessage());
    }
  }

  private void awaitHealthy(Duration timeout) {
    List<CompletableFuture<Void>> checks =
        processes.stream()
            .map(
                p ->
                    CompletableFuture.runAsync(
                        () -> {
                          p.awaitHealthy(timeout);
                          log.info("{} healthy at {}", p.spec().name(), p.healthUrl());
                        }))
            .toList();
    try {
      CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** The API key the local default accepts, for tenant {@code default} (docs/security.md). */
  static final String DEV_TENANT_KEY = "dev-key:default";

  private Map<String, String> commonProperties(LocalOptions options, List<ServiceSpec> specs) {
    Map<String, String> props = new HashMap<>();
    // Loopback only: nothing of the local default is reachable from the network.
    props.put("micronaut.server.host", LOOPBACK);
    props.put("grpc.server.host", LOOPBACK);
    // A fresh service token per run: the gateway calls the services with it, for its callers'
    // tenants; the dev key is also a tenant key everywhere, for grpcurl and other local clients.
    String serviceToken = randomToken();
    props.put("tuneloop.auth.service-tokens", serviceToken + ":gateway");
    props.put("tuneloop.auth.tenant-keys", DEV_TENANT_KEY);
    props.put("tuneloop.gateway.upstreams.service-token", serviceToken);
    props.put("tuneloop.gateway.auth.api-keys", DEV_TENANT_KEY);
    props.put("tuneloop.gateway.auth.allow-dev-key", "true");
    props.put("kafka.bootstrap-servers", kafka.bootstrapServers());
    props.put("kafka.partitions", "3");
    props.put("kafka.replication-factor", "1");
    props.put("s3.endpoint", s3.settings().endpoint());
    props.put("s3.access-key", s3.settings().accessKey());
    props.put("s3.secret-key", s3.settings().secretKey());
    props.put("s3.bucket", s3.settings().bucket());
    props.put("s3.region", s3.settings().region());
    // Kafka and S3 run in this JVM and are up before any service starts; a busy machine can still
    // slow a service's first connection well past the 10 s a deployment's fail-fast check allows.
    props.put("tuneloop.startup.timeout", "60s");
    for (ServiceSpec spec : specs) { // the gateway's upstreams
      props.put("tuneloop.gateway.upstreams." + spec.name(), LOOPBACK + ":" + spec.grpcPort());
    }
    if (specs.size() < ServiceCatalog.ALL.size()) {
      // Some services are left out on purpose (--services): the gateway cannot wait for them.
      props.put("tuneloop.gateway.readiness.require-upstreams", "false");
    }
    props.putAll(options.properties());
    return props;
  }

  private Endpoints endpoints(List<ServiceSpec> specs) {
    Map<String, Endpoints.Service> services = new LinkedHashMap<>();
    for (ServiceSpec spec : specs) {
      services.put(
          spec.name(),
          new Endpoints.Service(
              spec.name(), "http://localhost:" + spec.httpPort(), "localhost:" + spec.grpcPort()));
    }
    return new Endpoints(kafka.bootstrapServers(), s3.settings(), services);
  }

  private static final String LOOPBACK = "127.0.0.1";

  private static String randomToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The preferred port when nothing listens on it, else any free one. */
  private static int portOrFree(int preferred) {
    try (ServerSocket socket = new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
      return preferred;
    } catch (IOException busy) {
      return FreePorts.next();
    }
  }
}
