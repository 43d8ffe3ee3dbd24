package dev.tuneloop.inference.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The readers of adapters.published and adapters.aliases under supervision in the service. */
@WithInfra
class AdapterEventsSupervisionTest {

  @ParameterizedTest
  @ValueSource(strings = {AdapterEventsConsumer.PUBLISHED_LOOP, AdapterEventsConsumer.ALIASES_LOOP})
  void eachAdapterTopicReaderIsRestartedAfterItDiesAndHealthNamesItMeanwhile(
      String loop, Infra infra) throws Exception {
    try (EmbeddedServer server =
        ServiceProbe.start(
            infra,
            Map.of(
                "tuneloop.inference.adapters-topic",
                infra.topic("adapters.published"),
                "tuneloop.inference.aliases-topic",
                infra.topic("adapters.aliases"),
                "tuneloop.supervision.initial-backoff",
                "3s"))) {
      var bodies =
          ServiceProbe.failLoopAndAwaitRestart(server, loop, new IllegalStateException("injected"));
      assertThat(bodies.get(0)).contains("\"" + loop + "\"").contains("injected");
    }
  }
}
