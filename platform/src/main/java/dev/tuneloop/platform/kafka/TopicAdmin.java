package dev.tuneloop.platform.kafka;

import dev.tuneloop.platform.config.KafkaSettings;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics when they are missing; existing topics are left exactly as they
 * are.
 */
public final class TopicAdmin {

  private static final long TIMEOUT_SECONDS = 30;

  private TopicAdmin() {}

  /**
   * Creates every topic in {@link Topics#all()} that does not exist yet. Returns the names it
   * created.
   */
  public static Set<String> ensureTopics(Admin admin, KafkaSettings settings) {
    return ensure(admin, Topics.all(), settings.partitions(), settings.replicationFactor());
  }

  /**
   * Creates the given topics when missing, with the given partitions and replication. Idempotent.
   */
  public static Set<String> ensure(
      Admin admin, Collection<Topics.Spec> specs, int partitions, short replication) {
    try {
      Set<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<NewTopic> missing =
          specs.stream()
              .filter(spec -> !existing.contains(spec.name()))
              .map(
                  spec ->
                      new NewTopic(spec.name(), partitions, replication).configs(spec.configs()))
              .toList();
      CreateTopicsResult result = admin.createTopics(missing);
      for (var entry : result.values().entrySet()) {
        awaitCreated(entry.getKey(), entry.getValue());
      }
      return result.values().keySet();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Could not list or create Kafka topics: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating Kafka topics", e);
    }
  }

  private static void awaitCreated(String topic, org.apache.kafka.common.KafkaFuture<Void> future)
      throws InterruptedException, TimeoutException {
    try {
      future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) { // another instance won the race: fine
        throw new IllegalStateException(
            "Could not create Kafka topic " + topic + ": " + e.getCause().getMessage(), e);
      }
    }
  }
}
