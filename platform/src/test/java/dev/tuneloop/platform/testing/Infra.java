package dev.tuneloop.platform.testing;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.config.S3Settings;
import dev.tuneloop.platform.storage.ObjectStore;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One test's view of the shared infrastructure: the same broker and S3 server for everyone, with
 * names unique to this test (topics, consumer groups, a bucket of its own), so tests never see each
 * other's data.
 */
public final class Infra {
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final TestInfrastructure shared;
  private final String id;
  private S3Settings s3;

  Infra(TestInfrastructure shared, String testName) {
    this.shared = shared;
    String slug =
        testName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    this.id =
        (slug.length() > 30 ? slug.substring(0, 30) : slug)
            + "-"
            + SEQUENCE.incrementAndGet()
            + "-"
            + Long.toString(System.nanoTime() % 1_000_000, 36);
  }

  /**
   * Creates an {@code Infra} outside the extension (e.g. in a Micronaut {@code
   * TestPropertyProvider}).
   */
  public static Infra forTest(String testName) {
    return new Infra(TestInfrastructure.shared(), testName);
  }

  /** A name unique to this test, usable as topic, group or bucket suffix. */
  public String id() {
    return id;
  }

  public String bootstrapServers() {
    return shared.bootstrapServers();
  }

  /** Kafka settings with partitions 1 and replication 1 (a single broker). */
  public KafkaSettings kafka() {
    return shared.kafka(id);
  }

  /**
   * A topic name unique to this test, e.g. {@code examples.raw-mytest-3-x1y2}. Auto-created on
   * first use.
   */
  public String topic(String base) {
    return base + "-" + id;
  }

  /** A consumer group unique to this test. */
  public String group(String base) {
    return base + "-" + id;
  }

  /** S3 settings for this test's own bucket (created on first call). */
  public synchronized S3Settings s3() {
    if (s3 == null) s3 = shared.s3(bucketName());
    return s3;
  }

  public ObjectStore objectStore() {
    return new ObjectStore(s3());
  }

  /** "embedded" or "containers". */
  public String kind() {
    return shared.kind();
  }

  /** S3 bucket names: 3-63 chars of lowercase letters, digits and hyphens. */
  private String bucketName() {
    String name = "t-" + id;
    return name.length() > 63 ? name.substring(name.length() - 63) : name;
  }
}
