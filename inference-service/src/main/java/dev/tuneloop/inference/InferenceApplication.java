package dev.tuneloop.inference;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the inference-service: serves chat with hot-loaded adapters over gRPC. Shared wiring
 * (Kafka, S3, health, startup checks) comes from service-kit.
 */
public final class InferenceApplication {
  private InferenceApplication() {}

  public static void main(String[] args) {
    Micronaut.build(args).mainClass(InferenceApplication.class).banner(false).start();
  }
}
