package dev.tuneloop.platform.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker in KRaft mode (one node acting as broker and controller), running in
 * this JVM from Kafka's own server classes. Tuned for a single node: every internal topic has
 * replication 1, so transactions and consumer groups work. Listens on localhost; {@link #restart()}
 * brings it back on the same ports and log directory.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;

  private final Path logDir;
  private final boolean ownsLogDir;
  private final int brokerPort;
  private final int controllerPort;
  private final String clusterId;
  private KafkaRaftServer server;

  private EmbeddedKafka(Path logDir, boolean ownsLogDir, int brokerPort, int controllerPort) {
    this.logDir = logDir;
    this.ownsLogDir = ownsLogDir;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
    this.clusterId = Uuid.randomUuid().toString();
  }

  /**
   * Starts a broker on free ports with a fresh temporary log directory, deleted on {@link
   * #close()}.
   */
  public static EmbeddedKafka start() {
    try {
      return start(Files.createTempDirectory("tuneloop-kafka-"), true, 0);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a Kafka log directory", e);
    }
  }

  /**
   * Starts a broker on {@code logDir} (kept on close, reused when already formatted) and {@code
   * port} (0: any free port).
   */
  public static EmbeddedKafka start(Path logDir, int port) {
    return start(logDir, false, port);
  }

  private static EmbeddedKafka start(Path logDir, boolean owned, int port) {
    // Absolute, like every directory handed to a library: the broker must not depend on the cwd.
    EmbeddedKafka kafka =
        new EmbeddedKafka(
            logDir.toAbsolutePath().normalize(),
            owned,
            port == 0 ? FreePorts.next() : port,
            FreePorts.next());
    kafka.startServer();
    return kafka;
  }

  /** {@code localhost:port}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "localhost:" + brokerPort;
  }

  public Path logDir() {
    return logDir;
  }

  public boolean isRunning() {
    return server != null;
  }

  /**
   * Stops the broker and starts it again on the same ports and log directory: committed data
   * survives.
   */
  public synchronized void restart() {
    stopServer();
    startServer();
  }

  @Override
  public synchronized void close() {
    stopServer();
    if (ownsLogDir) Directories.deleteRecursively(logDir);
  }

  private synchronized void startServer() {
    long started = System.nanoTime();
    Properties props = serverProperties();
    format();
    KafkaRaftServer raftServer = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
    raftServer.startup();
    server = raftServer;
    log.info(
        "Kafka (KRaft) up at {} in {} ms, log dir {}",
        bootstrapServers(),
        (System.nanoTime() - started) / 1_000_000,
        logDir);
  }

  private void stopServer() {
    if (server == null) return;
    server.shutdown();
    server.awaitShutdown();
    server = null;
  }

  /**
   * Writes meta.properties and the bootstrap metadata once; an already formatted directory is left
   * alone.
   */
  private void format() {
    if (Files.exists(logDir.resolve("meta.properties")))
      return; // formatted by an earlier run: keep its cluster id
    try {
      new Formatter()
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(clusterId)
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setControllerListenerName("CONTROLLER")
          .run();
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot format Kafka log directory " + logDir + ": " + e.getMessage(), e);
    }
  }

  private Properties serverProperties() {
    Properties p = new Properties();
    p.putAll(
        Map.ofEntries(
            Map.entry("process.roles", "broker,controller"),
            Map.entry("node.id", Integer.toString(NODE_ID)),
            Map.entry("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort),
            Map.entry(
                "listeners",
                "PLAINTEXT://localhost:"
                    + brokerPort
                    + ",CONTROLLER://localhost:"
                    + controllerPort),
            Map.entry("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
            Map.entry("log.dirs", logDir.toString()),
            Map.entry("num.partitions", "1"),
            Map.entry("default.replication.factor", "1"),
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "3"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("transaction.state.log.num.partitions", "3"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("min.insync.replicas", "1"),
            // A new consumer group starts consuming at once instead of waiting 3 s for more
            // members.
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            Map.entry("auto.create.topics.enable", "true"),
            Map.entry("log.flush.interval.messages", "1"),
            Map.entry("num.network.threads", "2"),
            Map.entry("num.io.threads", "2"),
            Map.entry("background.threads", "2"),
            Map.entry("log.cleaner.threads", "1"),
            Map.entry("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024)),
            // Leave cleanly so a restart is accepted at once; a crashed broker's registration
            // lapses after 3 s.
            Map.entry("controlled.shutdown.enable", "true"),
            Map.entry("broker.heartbeat.interval.ms", "500"),
            Map.entry("broker.session.timeout.ms", "3000"),
            Map.entry("unstable.api.versions.enable", "false")));
    return p;
  }
}
