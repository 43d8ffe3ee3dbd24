package dev.tuneloop.inference;

import dev.tuneloop.inference.adapters.AdapterCatalog;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.AdapterAliases;
import dev.tuneloop.proto.v1.AdapterPublished;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes alias states to an adapters.aliases topic as the trainer does: each record the adapter's
 * whole state (alias -> version, with every target's publication), keyed {@link Topics#adapterKey},
 * one revision higher than the last this writer wrote for the adapter.
 */
public final class TestAliases implements AutoCloseable {
  private final KafkaProducer<String, AdapterAliases> producer;
  private final String topic;
  private final Map<String, Long> revisions = new ConcurrentHashMap<>();

  public TestAliases(KafkaSettings kafka, String topic) {
    this.producer =
        new KafkaProducer<>(
            kafka.producerProperties(), new StringSerializer(), new ProtobufSerializer<>());
    this.topic = topic;
  }

  /** An alias state: each alias points at its publication's version. */
  public static AdapterAliases state(
      String tenant, String name, long revision, Map<String, AdapterPublished> aliases) {
    AdapterAliases.Builder state =
        AdapterAliases.newBuilder().setTenant(tenant).setName(name).setRevision(revision);
    aliases.forEach(
        (alias, target) ->
            state.putAliases(alias, target.getVersion()).putTargets(target.getVersion(), target));
    return state.build();
  }

  /** The state in which only production points, at {@code version}. */
  public static AdapterAliases production(AdapterPublished version, long revision) {
    return state(
        version.getTenant(),
        version.getName(),
        revision,
        Map.of(AdapterCatalog.PRODUCTION, version));
  }

  /** Writes the adapter's next state and waits for the broker to have it. */
  public AdapterAliases write(String tenant, String name, Map<String, AdapterPublished> aliases)
      throws ExecutionException, InterruptedException {
    String key = Topics.adapterKey(tenant, name);
    AdapterAliases state = state(tenant, name, revisions.merge(key, 1L, Long::sum), aliases);
    producer.send(new ProducerRecord<>(topic, key, state)).get();
    return state;
  }

  /** Writes the state in which production points at {@code version} (and nothing else does). */
  public AdapterAliases promote(AdapterPublished version)
      throws ExecutionException, InterruptedException {
    return write(
        version.getTenant(), version.getName(), Map.of(AdapterCatalog.PRODUCTION, version));
  }

  @Override
  public void close() {
    producer.close();
  }
}
