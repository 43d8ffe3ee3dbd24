package dev.tuneloop.curation;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the curation-service: curates examples.raw into examples.curated / examples.rejected and
 * snapshots datasets to S3. Shared wiring (Kafka, S3, health, startup checks) comes from
 * service-kit.
 */
public final class CurationApplication {
  private CurationApplication() {}

  public static void main(String[] args) {
    Micronaut.build(args).mainClass(CurationApplication.class).banner(false).start();
  }
}
