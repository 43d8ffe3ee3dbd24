package dev.tuneloop.ingest;

import dev.tuneloop.ingest.kafka.IncomingConsumer;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.util.Optional;

/** Starts the incoming-topic consumer once the context (and its Kafka startup check) is up. */
@Singleton
public class IngestRunner {

  private final Optional<IncomingConsumer> incoming;

  IngestRunner(Optional<IncomingConsumer> incoming) {
    this.incoming = incoming;
  }

  @EventListener
  void onStartup(StartupEvent event) {
    incoming.ifPresent(IncomingConsumer::start);
  }
}
