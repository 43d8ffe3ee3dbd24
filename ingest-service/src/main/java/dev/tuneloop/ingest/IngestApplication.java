package dev.tuneloop.ingest;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the ingest-service: takes examples over gRPC and Kafka and publishes them to examples.raw.
 * Shared wiring (Kafka, S3, health, startup checks) comes from service-kit.
 */
public final class IngestApplication {
  private IngestApplication() {}

  public static void main(String[] args) {
    Micronaut.build(args).mainClass(IngestApplication.class).banner(false).start();
  }
}
