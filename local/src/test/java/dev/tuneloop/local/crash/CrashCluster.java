package dev.tuneloop.local.crash;

import dev.tuneloop.local.ServiceCatalog;
import dev.tuneloop.local.ServiceProcess;
import dev.tuneloop.local.ServiceSpec;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.embedded.EmbeddedKafka;
import dev.tuneloop.platform.embedded.EmbeddedS3;
import dev.tuneloop.platform.embedded.FreePorts;
import dev.tuneloop.platform.storage.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The platform of one crash test: S3 (and usually Kafka) embedded in the test JVM on absolute
 * directories under the test's temp dir, and services as real child JVMs that the test can SIGKILL
 * and start again on the same ports and data. Unlike {@code LocalPlatform} it can point the
 * services at a broker that runs elsewhere ({@link BrokerProcess}), so the broker itself can be
 * killed.
 */
final class CrashCluster implements AutoCloseable {
  private static final Duration HEALTHY_WITHIN = Duration.ofMinutes(3);

  private final EmbeddedKafka ownKafka; // null when the broker runs in a process of its own
  private final String bootstrapServers;
  private final EmbeddedS3 s3;
  private final Map<String, Running> services = new LinkedHashMap<>();

  private record Running(ServiceSpec spec, ServiceProcess process) {}

  private CrashCluster(EmbeddedKafka ownKafka, String bootstrapServers, Path dir) {
    this.ownKafka = ownKafka;
    this.bootstrapServers = bootstrapServers;
    this.s3 = EmbeddedS3.start(dir.resolve("s3"), 0, EmbeddedS3.DEFAULT_BUCKET);
  }

  /** Kafka and S3 in this JVM, their data under {@code dir}. */
  static CrashCluster embedded(Path dir) {
    return new CrashCluster(EmbeddedKafka.start(dir.resolve("kafka"), 0), null, dir);
  }

  /** S3 in this JVM, Kafka at {@code bootstrapServers} (e.g. a {@link BrokerProcess}). */
  static CrashCluster withBroker(String bootstrapServers, Path dir) {
    return new CrashCluster(null, bootstrapServers, dir);
  }

  String bootstrapServers() {
    return ownKafka != null ? ownKafka.bootstrapServers() : bootstrapServers;
  }

  /** Settings for the test's own Kafka clients (idempotent producer, read_committed consumer). */
  KafkaSettings kafka() {
    return KafkaSettings.of(bootstrapServers(), "crash-test");
  }

  ObjectStore store() {
    return new ObjectStore(s3.settings());
  }

  /**
   * Starts the service (on the ports of its earlier run, if any) with {@code extra} on top of the
   * common settings, and returns once it answers {@code /health}.
   */
  ServiceProcess start(String name, Map<String, String> extra) {
    Running earlier = services.get(name);
    if (earlier != null && earlier.process().isAlive()) {
      throw new IllegalStateException(name + " is still running; kill it first");
    }
    ServiceSpec spec =
        earlier != null
            ? earlier.spec()
            : ServiceCatalog.load(List.of(name))
                .getFirst()
                .withPorts(FreePorts.next(), FreePorts.next());
    Map<String, String> props = new HashMap<>(commonProperties());
    props.put("micronaut.server.port", Integer.toString(spec.httpPort()));
    props.put("grpc.server.port", Integer.toString(spec.grpcPort()));
    props.putAll(extra);
    ServiceProcess process = ServiceProcess.start(spec, props, System.out);
    services.put(name, new Running(spec, process));
    process.awaitHealthy(HEALTHY_WITHIN);
    return process;
  }

  /** SIGKILLs the service's JVM and returns its exit code once it is gone. */
  int kill(String name) {
    return process(name).kill();
  }

  ServiceProcess process(String name) {
    Running running = services.get(name);
    if (running == null) throw new IllegalArgumentException(name + " was never started");
    return running.process();
  }

  /** {@code localhost:port} of the service's gRPC server (the same across restarts). */
  String grpcTarget(String name) {
    Running running = services.get(name);
    if (running == null) throw new IllegalArgumentException(name + " was never started");
    return "localhost:" + running.spec().grpcPort();
  }

  @Override
  public void close() {
    for (Running running : List.copyOf(services.values()).reversed()) {
      running.process().stop(Duration.ofSeconds(10));
    }
    if (ownKafka != null) ownKafka.close();
    s3.close();
  }

  private Map<String, String> commonProperties() {
    Map<String, String> props = new HashMap<>();
    props.put("kafka.bootstrap-servers", bootstrapServers());
    props.put("kafka.partitions", "3");
    props.put("kafka.replication-factor", "1");
    props.put("s3.endpoint", s3.settings().endpoint());
    props.put("s3.access-key", s3.settings().accessKey());
    props.put("s3.secret-key", s3.settings().secretKey());
    props.put("s3.bucket", s3.settings().bucket());
    props.put("s3.region", s3.settings().region());
    props.put("ai.djl.pytorch.num_threads", "1"); // two cores shared with the broker and the test
    // The tests call the services as tenant "acme" with its own key (docs/security.md), on
    // loopback.
    props.put("tuneloop.auth.tenant-keys", Clients.TENANT_KEY + ":acme");
    props.put("micronaut.server.host", "127.0.0.1");
    props.put("grpc.server.host", "127.0.0.1");
    return props;
  }
}
