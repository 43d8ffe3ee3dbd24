package dev.tuneloop.platform.testing;

import dev.tuneloop.platform.config.S3Settings;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Kafka (apache/kafka, KRaft) and MinIO in containers. Every Testcontainers reference lives in this
 * class, so a test classpath without Testcontainers still works: {@link #dockerAvailable()} then
 * answers false.
 */
final class ContainerInfrastructure extends TestInfrastructure {
  private static final String KAFKA_IMAGE = "apache/kafka:4.1.1";
  private static final String MINIO_IMAGE = "minio/minio:RELEASE.2023-09-04T19-57-37Z";

  private final KafkaContainer kafka;
  private final MinIOContainer minio;

  private ContainerInfrastructure() {
    kafka = new KafkaContainer(KAFKA_IMAGE);
    minio = new MinIOContainer(MINIO_IMAGE);
    kafka.start();
    minio.start();
  }

  static ContainerInfrastructure start() {
    return new ContainerInfrastructure();
  }

  static boolean dockerAvailable() {
    if (!dockerConfigured())
      return false; // spares Testcontainers' probing (and its ERROR log) on Docker-less hosts
    try {
      Class.forName("org.testcontainers.DockerClientFactory");
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * A Docker engine is at least configured: DOCKER_HOST, a known socket, or a Testcontainers config
   * file.
   */
  private static boolean dockerConfigured() {
    String home = System.getProperty("user.home");
    return System.getenv("DOCKER_HOST") != null
        || java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
        || java.nio.file.Files.exists(java.nio.file.Path.of(home, ".docker", "run", "docker.sock"))
        || java.nio.file.Files.exists(java.nio.file.Path.of(home, ".testcontainers.properties"));
  }

  @Override
  public String kind() {
    return "containers";
  }

  @Override
  public String bootstrapServers() {
    return kafka.getBootstrapServers();
  }

  @Override
  public S3Settings s3(String bucket) {
    S3Settings base =
        new S3Settings(
            minio.getS3URL(),
            minio.getUserName(),
            minio.getPassword(),
            bucket,
            S3Settings.DEFAULT_REGION);
    return withBucket(base, bucket);
  }

  @Override
  String s3Endpoint() {
    return minio.getS3URL();
  }

  @Override
  public void close() {
    kafka.stop();
    minio.stop();
  }
}
