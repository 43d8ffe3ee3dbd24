package dev.tuneloop.trainer;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the trainer-service: runs LoRA jobs from training.requests and publishes adapters. Shared
 * wiring (Kafka, S3, health, startup checks) comes from service-kit.
 */
public final class TrainerApplication {
  private TrainerApplication() {}

  public static void main(String[] args) {
    Micronaut.build(args).mainClass(TrainerApplication.class).banner(false).start();
  }
}
