package dev.tuneloop.servicekit;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * {@code /health} component "kafka": UP while a broker answers within 3 s, DOWN (HTTP 503)
 * otherwise.
 */
@Singleton
@Requires(property = "tuneloop.startup.require-kafka", notEquals = "false")
public class KafkaHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  private static final int TIMEOUT_MS = 3_000;
  private final Admin admin;

  KafkaHealthIndicator(Admin admin) {
    this.admin = admin;
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    try {
      var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS));
      int brokers = cluster.nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).size();
      healthStatus = HealthStatus.UP;
      // /health is open to anyone: no broker addresses in it (the logs have them)
      return Map.of("brokers", brokers);
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      healthStatus = HealthStatus.DOWN;
      return Map.of("error", e.getClass().getSimpleName());
    }
  }

  @Override
  protected String getName() {
    return "kafka";
  }
}
