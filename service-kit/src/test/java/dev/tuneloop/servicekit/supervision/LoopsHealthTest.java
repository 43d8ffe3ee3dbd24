package dev.tuneloop.servicekit.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A supervised loop in a bare Micronaut server: its failure shows on /health by name. */
@WithInfra
class LoopsHealthTest {

  @Test
  void aLoopThatDiesIsDownOnHealthByNameUntilItRunsAgain(Infra infra) throws Exception {
    try (EmbeddedServer server =
        ServiceProbe.start(
            infra,
            Map.of(
                "micronaut.application.name", "kit-loops",
                "endpoints.health.details-visible", "ANONYMOUS",
                "tuneloop.supervision.initial-backoff", "3s"))) {
      var supervisor = server.getApplicationContext().getBean(Supervisor.class);
      try (var loop =
          supervisor
              .loop(
                  "kit-loop",
                  l -> {
                    while (!l.stopping()) {
                      l.alive();
                      Thread.sleep(20);
                    }
                  },
                  () -> {})
              .start()) {
        var bodies =
            ServiceProbe.failLoopAndAwaitRestart(
                server, "kit-loop", new OutOfMemoryError("injected"));
        assertThat(bodies.get(0)).contains("\"loops\"").contains("OutOfMemoryError: injected");
      }
    }
  }
}
