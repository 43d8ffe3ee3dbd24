package dev.tuneloop.platform.testing;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.config.S3Settings;
import dev.tuneloop.platform.storage.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka broker and S3 server shared by every test in this JVM: started on first use, closed
 * when the JVM exits. Testcontainers' Kafka and MinIO when a Docker engine answers (and
 * Testcontainers is on the test classpath), the embedded broker and S3Proxy otherwise. System
 * property {@code tuneloop.test.infra=embedded|containers} forces one.
 */
public abstract class TestInfrastructure implements AutoCloseable {
  @Override
  public abstract void close();

  private static final Logger log = LoggerFactory.getLogger(TestInfrastructure.class);
  private static TestInfrastructure shared;
  private static RuntimeException startFailure;

  /**
   * The shared instance, started on first call. A failed start fails every later call at once, with
   * its cause.
   */
  public static synchronized TestInfrastructure shared() {
    if (startFailure != null)
      throw new IllegalStateException("Test infrastructure failed to start", startFailure);
    if (shared == null) {
      long start = System.nanoTime();
      try {
        shared = choose();
      } catch (RuntimeException e) {
        startFailure = e;
        throw e;
      }
      log.info(
          "Test infrastructure ({}) ready in {} ms: Kafka {}, S3 {}",
          shared.kind(),
          (System.nanoTime() - start) / 1_000_000,
          shared.bootstrapServers(),
          shared.s3Endpoint());
      TestInfrastructure started = shared;
      Runtime.getRuntime()
          .addShutdownHook(new Thread(started::close, "test-infrastructure-shutdown"));
    }
    return shared;
  }

  private static TestInfrastructure choose() {
    String forced = System.getProperty("tuneloop.test.infra", "auto");
    return switch (forced) {
      case "embedded" -> new EmbeddedInfrastructure();
      case "containers" -> ContainerInfrastructure.start();
      case "auto" ->
          ContainerInfrastructure.dockerAvailable()
              ? ContainerInfrastructure.start()
              : new EmbeddedInfrastructure();
      default ->
          throw new IllegalArgumentException(
              "tuneloop.test.infra must be auto, embedded or containers, got " + forced);
    };
  }

  /** "embedded" or "containers". */
  public abstract String kind();

  public abstract String bootstrapServers();

  /** Endpoint and credentials, with {@code bucket}; the bucket is created if missing. */
  public abstract S3Settings s3(String bucket);

  abstract String s3Endpoint();

  public KafkaSettings kafka(String clientIdPrefix) {
    return new KafkaSettings(bootstrapServers(), clientIdPrefix, 1, (short) 1, java.util.Map.of());
  }

  /** Creates the bucket when missing and returns settings that point at it. */
  static S3Settings withBucket(S3Settings base, String bucket) {
    S3Settings settings = base.withBucket(bucket);
    new ObjectStore(settings).ensureBucket();
    return settings;
  }
}
