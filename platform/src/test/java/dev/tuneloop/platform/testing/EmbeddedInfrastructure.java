package dev.tuneloop.platform.testing;

import dev.tuneloop.platform.config.S3Settings;
import dev.tuneloop.platform.embedded.EmbeddedKafka;
import dev.tuneloop.platform.embedded.EmbeddedS3;
import java.util.concurrent.CompletableFuture;

/** The embedded KRaft broker and S3Proxy, started in parallel. */
final class EmbeddedInfrastructure extends TestInfrastructure {
  private final EmbeddedKafka kafka;
  private final EmbeddedS3 s3;

  EmbeddedInfrastructure() {
    CompletableFuture<EmbeddedS3> s3Start = CompletableFuture.supplyAsync(EmbeddedS3::start);
    this.kafka = EmbeddedKafka.start();
    this.s3 = s3Start.join();
  }

  @Override
  public String kind() {
    return "embedded";
  }

  @Override
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  @Override
  public S3Settings s3(String bucket) {
    return withBucket(s3.settings(), bucket);
  }

  @Override
  String s3Endpoint() {
    return s3.settings().endpoint();
  }

  /** The broker itself, for tests that restart it. */
  EmbeddedKafka embeddedKafka() {
    return kafka;
  }

  @Override
  public void close() {
    kafka.close();
    s3.close();
  }
}
