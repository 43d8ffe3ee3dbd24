package dev.tuneloop.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The incoming-topic consumer under supervision in the running service. */
@WithInfra
class IncomingConsumerSupervisionTest {

  @Test
  void theIncomingConsumerIsRestartedAfterItDiesAndHealthNamesItMeanwhile(Infra infra)
      throws Exception {
    try (EmbeddedServer server =
        ServiceProbe.start(
            infra,
            Map.of(
                "ingest.raw-topic", infra.topic("examples.raw"),
                "ingest.incoming-topic", infra.topic("examples.incoming"),
                "ingest.incoming-group", infra.group("incoming"),
                "tuneloop.supervision.initial-backoff", "3s"))) {
      var bodies =
          ServiceProbe.failLoopAndAwaitRestart(
              server, "ingest-incoming", new OutOfMemoryError("injected"));
      assertThat(bodies.get(0)).contains("\"ingest-incoming\"").contains("injected");
    }
  }
}
