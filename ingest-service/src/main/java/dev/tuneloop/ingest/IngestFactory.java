package dev.tuneloop.ingest;

import com.google.protobuf.MessageLite;
import dev.tuneloop.ingest.grpc.IngestGrpcEndpoint;
import dev.tuneloop.ingest.kafka.IncomingConsumer;
import dev.tuneloop.ingest.kafka.KafkaRawPublisher;
import dev.tuneloop.ingest.kafka.RecentIdsLoader;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.servicekit.supervision.Supervisor;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the plain ingest classes as beans. */
@Factory
public class IngestFactory {

  private static final Logger log = LoggerFactory.getLogger(IngestFactory.class);

  @Singleton
  IngestService ingestService(
      IngestConfiguration config,
      KafkaSettings kafka,
      Producer<String, MessageLite> producer,
      @Property(name = HaltAfterAck.SETTING, defaultValue = "false") boolean haltAfterAck) {
    RecentIds ids = new RecentIds(config.recentIds());
    long loaded = RecentIdsLoader.load(kafka, config.rawTopic(), ids, config.recentIds());
    log.info("retry index refilled with {} ids from {}", loaded, config.rawTopic());
    return new IngestService(
        new Intake(config.limits(), Clock.systemUTC()),
        HaltAfterAck.wrapIf(haltAfterAck, new KafkaRawPublisher(producer, config.rawTopic())),
        ids,
        new InFlightLimiter(config.maxInFlight(), config.inFlightWait()));
  }

  @Singleton
  IngestGrpcEndpoint grpcEndpoint(IngestService service, IngestConfiguration config) {
    return new IngestGrpcEndpoint(service, config.streamWindow());
  }

  @Singleton
  @Bean(preDestroy = "close")
  @Requires(property = "ingest.incoming-topic", notEquals = "")
  IncomingConsumer incoming(
      IngestConfiguration config,
      KafkaSettings kafka,
      IngestService service,
      Producer<String, MessageLite> producer,
      Supervisor supervisor) {
    return new IncomingConsumer(
        kafka,
        config.incomingGroup(),
        config.incomingTopic(),
        config.rejectedTopic(),
        service,
        producer,
        supervisor);
  }
}
