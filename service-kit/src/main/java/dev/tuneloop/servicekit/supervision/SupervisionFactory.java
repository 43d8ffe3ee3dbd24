package dev.tuneloop.servicekit.supervision;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** The service's one {@link Supervisor}, with the configured backoff. */
@Factory
public class SupervisionFactory {
  @Singleton
  Supervisor supervisor(SupervisionConfiguration config) {
    return new Supervisor(new SupervisedLoop.Backoff(config.initialBackoff(), config.maxBackoff()));
  }
}
