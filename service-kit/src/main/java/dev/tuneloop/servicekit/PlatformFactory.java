package dev.tuneloop.servicekit;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.config.S3Settings;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.storage.ObjectStore;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The platform's plain-Java clients as beans, built from configuration. */
@Factory
public class PlatformFactory {

  @Singleton
  KafkaSettings kafkaSettings(
      KafkaConfiguration config, @Value("${micronaut.application.name:tuneloop}") String app) {
    Map<String, String> extra = config.properties() == null ? Map.of() : config.properties();
    return new KafkaSettings(
        config.bootstrapServers(), app, config.partitions(), config.replicationFactor(), extra);
  }

  @Singleton
  S3Settings s3Settings(S3Configuration config) {
    return new S3Settings(
        config.endpoint(),
        config.accessKey(),
        config.secretKey(),
        config.bucket(),
        config.region());
  }

  @Singleton
  ObjectStore objectStore(S3Settings settings) {
    return new ObjectStore(settings);
  }

  @Singleton
  @Bean(preDestroy = "close")
  Admin kafkaAdmin(KafkaSettings settings) {
    return Admin.create(settings.adminProperties());
  }

  /**
   * The service's idempotent, acks=all producer of Protobuf values with String keys (see {@code
   * Topics} for key conventions). Transactional producers need a stable id per worker, so services
   * build those themselves from {@link KafkaSettings#transactionalProducerProperties(String)}.
   */
  @Singleton
  @Bean(preDestroy = "close")
  Producer<String, MessageLite> protobufProducer(KafkaSettings settings) {
    return new KafkaProducer<>(
        settings.producerProperties(), new StringSerializer(), new ProtobufSerializer<>()) {
      @Override
      public void close() {
        close(Duration.ofSeconds(10)); // flush what is in flight, but never hang a shutdown
      }
    };
  }
}
