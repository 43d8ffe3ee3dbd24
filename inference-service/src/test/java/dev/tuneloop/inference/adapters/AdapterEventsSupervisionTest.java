package dev.tuneloop.inference.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The adapters.published reader under supervision in the running service. */
@WithInfra
class AdapterEventsSupervisionTest {

  @Test
  void theAdapterEventsReaderIsRestartedAfterItDiesAndHealthNamesItMeanwhile(Infra infra)
      throws Exception {
    try (EmbeddedServer server =
        ServiceProbe.start(
            infra,
            Map.of(
                "tuneloop.inference.adapters-topic",
                infra.topic("adapters.published"),
                "tuneloop.supervision.initial-backoff",
                "3s"))) {
      var bodies =
          ServiceProbe.failLoopAndAwaitRestart(
              server, "inference-adapter-events", new IllegalStateException("injected"));
      assertThat(bodies.get(0)).contains("\"inference-adapter-events\"").contains("injected");
    }
  }
}
