package dev.tuneloop.platform.config;

import java.net.URI;

/**
 * Where the object store is and which bucket holds tuneloop's datasets, models and adapters.
 *
 * @param endpoint base URL of an S3-compatible server, e.g. {@code http://localhost:9000}
 * @param accessKey access key id
 * @param secretKey secret access key
 * @param bucket the one bucket tuneloop uses (see ARCHITECTURE.md, "Object store layout")
 * @param region signing region; S3Proxy and MinIO accept {@code us-east-1}
 */
public record S3Settings(
    String endpoint, String accessKey, String secretKey, String bucket, String region) {

  public static final String ENV_ENDPOINT = "S3_ENDPOINT";
  public static final String ENV_ACCESS_KEY = "S3_ACCESS_KEY";
  public static final String ENV_SECRET_KEY = "S3_SECRET_KEY";
  public static final String ENV_BUCKET = "S3_BUCKET";
  public static final String ENV_REGION = "S3_REGION";
  public static final String DEFAULT_REGION = "us-east-1";

  public S3Settings {
    require(endpoint, "endpoint", ENV_ENDPOINT);
    require(accessKey, "access-key", ENV_ACCESS_KEY);
    require(secretKey, "secret-key", ENV_SECRET_KEY);
    require(bucket, "bucket", ENV_BUCKET);
    URI uri = URI.create(endpoint);
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "S3 endpoint must be a URL like http://host:9000, got '" + endpoint + "'");
    }
    region = region == null || region.isBlank() ? DEFAULT_REGION : region;
  }

  /**
   * Settings from the S3_* environment variables, for tools that run without a Micronaut context.
   */
  public static S3Settings fromEnvironment() {
    return new S3Settings(
        System.getenv(ENV_ENDPOINT),
        System.getenv(ENV_ACCESS_KEY),
        System.getenv(ENV_SECRET_KEY),
        System.getenv(ENV_BUCKET),
        System.getenv(ENV_REGION));
  }

  public S3Settings withBucket(String otherBucket) {
    return new S3Settings(endpoint, accessKey, secretKey, otherBucket, region);
  }

  /** Never prints the secret. */
  @Override
  public String toString() {
    return "S3Settings[endpoint="
        + endpoint
        + ", accessKey="
        + accessKey
        + ", bucket="
        + bucket
        + ", region="
        + region
        + "]";
  }

  private static void require(String value, String key, String env) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "S3 " + key + " is not set (config s3." + key + " or env " + env + ")");
    }
  }
}
