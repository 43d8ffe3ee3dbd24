package dev.tuneloop.servicekit;

import dev.tuneloop.platform.storage.ObjectStore;
import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;
import java.util.Map;

/** {@code /health} component "s3": UP while the bucket answers, DOWN (HTTP 503) otherwise. */
@Singleton
@Requires(property = "tuneloop.startup.require-s3", notEquals = "false")
public class ObjectStoreHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  private final ObjectStore store;

  ObjectStoreHealthIndicator(ObjectStore store) {
    this.store = store;
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    try {
      boolean exists = store.bucketExists();
      healthStatus = exists ? HealthStatus.UP : HealthStatus.DOWN;
      // /health is open to anyone: no endpoint or bucket name in it (the logs have them)
      return Map.of("bucketExists", exists);
    } catch (RuntimeException e) {
      healthStatus = HealthStatus.DOWN;
      return Map.of("error", e.getClass().getSimpleName());
    }
  }

  @Override
  protected String getName() {
    return "s3";
  }
}
