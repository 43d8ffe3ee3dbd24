package dev.tuneloop.servicekit;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.TopicAdmin;
import dev.tuneloop.platform.storage.ObjectStore;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs while the application context starts: proves Kafka and S3 answer (creating the bucket and
 * the pipeline's topics when missing) or stops the service within {@code tuneloop.startup.timeout}
 * with a message that names the unreachable address, never a silent hang.
 */
@Context
@Requires(property = "tuneloop.startup.check", notEquals = "false")
public class StartupCheck {
  private static final Logger log = LoggerFactory.getLogger(StartupCheck.class);

  private final StartupConfiguration config;
  private final BeanProvider<KafkaSettings> kafkaSettings;
  private final BeanProvider<Admin> admin;
  private final BeanProvider<ObjectStore> objectStore;
  private final KafkaConfiguration kafkaConfig;

  StartupCheck(
      StartupConfiguration config,
      KafkaConfiguration kafkaConfig,
      BeanProvider<KafkaSettings> kafkaSettings,
      BeanProvider<Admin> admin,
      BeanProvider<ObjectStore> objectStore) {
    this.config = config;
    this.kafkaConfig = kafkaConfig;
    this.kafkaSettings = kafkaSettings;
    this.admin = admin;
    this.objectStore = objectStore;
  }

  @PostConstruct
  void check() {
    if (config.requireKafka()) checkKafka();
    if (config.requireS3()) checkS3();
  }

  private void checkKafka() {
    KafkaSettings settings = kafkaSettings.get();
    String where = "Kafka at " + settings.bootstrapServers();
    String fix =
        " (config kafka.bootstrap-servers, env " + KafkaSettings.ENV_BOOTSTRAP_SERVERS + ")";
    long timeoutMs = config.timeout().toMillis();
    try {
      String clusterId =
          admin
              .get()
              .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeoutMs))
              .clusterId()
              .get(timeoutMs, TimeUnit.MILLISECONDS);
      log.info("Kafka cluster {} reachable at {}", clusterId, settings.bootstrapServers());
    } catch (TimeoutException | ExecutionException e) {
      throw new BackendUnavailableException(
          where
              + " is unreachable: no broker answered within "
              + config.timeout().toSeconds()
              + " s"
              + fix
              + ": "
              + rootMessage(e),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendUnavailableException("Interrupted while contacting " + where + fix, e);
    }
    if (kafkaConfig.createTopics()) {
      var created = TopicAdmin.ensureTopics(admin.get(), settings);
      if (!created.isEmpty()) log.info("Created Kafka topics {}", created);
    }
  }

  private void checkS3() {
    ObjectStore store = objectStore.get();
    try {
      store.ensureBucket();
      log.info("S3 bucket {} reachable at {}", store.bucket(), store.settings().endpoint());
    } catch (RuntimeException e) {
      throw new BackendUnavailableException(
          "S3 at "
              + store.settings().endpoint()
              + " (bucket "
              + store.bucket()
              + "; config s3.endpoint, env S3_ENDPOINT) is unreachable or refused: "
              + rootMessage(e),
          e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }
}
