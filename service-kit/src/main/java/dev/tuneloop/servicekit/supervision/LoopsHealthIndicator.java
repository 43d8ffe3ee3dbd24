package dev.tuneloop.servicekit.supervision;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /health} component "loops": DOWN (HTTP 503) while any supervised background loop is down,
 * naming it, its restarts and its last error; UP again once it runs.
 */
@Singleton
public class LoopsHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  private final Supervisor supervisor;

  LoopsHealthIndicator(Supervisor supervisor) {
    this.supervisor = supervisor;
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    Map<String, Object> details = new LinkedHashMap<>();
    boolean allUp = true;
    for (SupervisedLoop loop : supervisor.loops()) {
      SupervisedLoop.Status s = loop.status();
      allUp &= s.up();
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("status", s.up() ? "UP" : "DOWN");
      one.put("restarts", s.restarts());
      if (!s.lastError().isEmpty()) {
        one.put("lastError", s.lastError());
      }
      details.put(s.name(), one);
    }
    healthStatus = allUp ? HealthStatus.UP : HealthStatus.DOWN;
    return details;
  }

  @Override
  protected String getName() {
    return "loops";
  }
}
