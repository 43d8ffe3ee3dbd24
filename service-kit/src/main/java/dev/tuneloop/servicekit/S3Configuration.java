package dev.tuneloop.servicekit;

import io.micronaut.context.annotation.ConfigurationProperties;

/**
 * {@code s3.*} configuration (env: {@code S3_ENDPOINT}, {@code S3_ACCESS_KEY}, {@code
 * S3_SECRET_KEY}, {@code S3_BUCKET}, {@code S3_REGION}), mapped once to {@code S3Settings}.
 */
@ConfigurationProperties("s3")
public record S3Configuration(
    String endpoint, String accessKey, String secretKey, String bucket, String region) {}
