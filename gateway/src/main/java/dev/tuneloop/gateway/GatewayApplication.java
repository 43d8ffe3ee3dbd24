package dev.tuneloop.gateway;

import io.micronaut.runtime.Micronaut;

/**
 * Starts the gateway: the HTTP face: REST, OpenAI-compatible chat, dashboard. Shared wiring (Kafka,
 * S3, health, startup checks) comes from service-kit.
 */
public final class GatewayApplication {
  private GatewayApplication() {}

  public static void main(String[] args) {
    Micronaut.build(args).mainClass(GatewayApplication.class).banner(false).start();
  }
}
