package dev.tuneloop.inference.adapters;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.AdapterAliases;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one of the registry's compacted topics from the beginning of every partition, without a
 * consumer group's committed offsets, so each start (and each replica) rebuilds the full registry;
 * compaction keeps that replay short. Two run in the service: {@link #published} reads
 * adapters.published as the supervised loop "inference-adapter-events", {@link #aliases} reads
 * adapters.aliases as "inference-adapter-aliases". Each runs until closed: a run that dies is
 * restarted (a fresh consumer, from the beginning again: registering a publication twice is
 * harmless, and an alias state older than the one held is ignored) after a backoff, and {@code
 * /health} is DOWN naming the loop meanwhile.
 *
 * @param <T> the topic's record type
 */
public final class AdapterEventsConsumer<T extends Message> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterEventsConsumer.class);
  private static final Duration POLL = Duration.ofMillis(500);

  /** The loop that reads adapters.published. */
  public static final String PUBLISHED_LOOP = "inference-adapter-events";

  /** The loop that reads adapters.aliases. */
  public static final String ALIASES_LOOP = "inference-adapter-aliases";

  private final KafkaSettings settings;
  private final String topic;
  private final String name;
  private final Parser<T> parser;
  private final Consumer<T> onRecord;
  private final SupervisedLoop loop;
  private volatile KafkaConsumer<String, Decoded<T>> consumer;
  private volatile boolean caughtUp;

  /**
   * Reads adapters.published.
   *
   * @param topic {@link Topics#ADAPTERS_PUBLISHED} unless tests use their own
   */
  public static AdapterEventsConsumer<AdapterPublished> published(
      KafkaSettings settings,
      String topic,
      Consumer<AdapterPublished> onPublished,
      Supervisor supervisor) {
    return new AdapterEventsConsumer<>(
        settings, topic, PUBLISHED_LOOP, AdapterPublished.parser(), onPublished, supervisor);
  }

  public static AdapterEventsConsumer<AdapterPublished> published(
      KafkaSettings settings, String topic, Consumer<AdapterPublished> onPublished) {
    return published(settings, topic, onPublished, Supervisor.standalone());
  }

  /**
   * Reads adapters.aliases: each record is an adapter's whole alias state.
   *
   * @param topic {@link Topics#ADAPTERS_ALIASES} unless tests use their own
   */
  public static AdapterEventsConsumer<AdapterAliases> aliases(
      KafkaSettings settings,
      String topic,
      Consumer<AdapterAliases> onAliases,
      Supervisor supervisor) {
    return new AdapterEventsConsumer<>(
        settings, topic, ALIASES_LOOP, AdapterAliases.parser(), onAliases, supervisor);
  }

  public static AdapterEventsConsumer<AdapterAliases> aliases(
      KafkaSettings settings, String topic, Consumer<AdapterAliases> onAliases) {
    return aliases(settings, topic, onAliases, Supervisor.standalone());
  }

  private AdapterEventsConsumer(
      KafkaSettings settings,
      String topic,
      String name,
      Parser<T> parser,
      Consumer<T> onRecord,
      Supervisor supervisor) {
    this.settings = settings;
    this.topic = topic;
    this.name = name;
    this.parser = parser;
    this.onRecord = onRecord;
    this.loop = supervisor.loop(name, this::run, this::wakeup);
  }

  public AdapterEventsConsumer<T> start() {
    loop.start();
    return this;
  }

  public SupervisedLoop loop() {
    return loop;
  }

  private KafkaConsumer<String, Decoded<T>> newConsumer() {
    Map<String, Object> props = settings.consumerProperties(name);
    // Never create the topic by asking for it: it must be created compacted (by the startup check
    // or an operator).
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    return new KafkaConsumer<>(props, new StringDeserializer(), new ProtobufDeserializer<>(parser));
  }

  private void wakeup() {
    var c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /** True once every record present at assignment time has been handed over (readiness). */
  public boolean caughtUp() {
    return caughtUp;
  }

  private void run(SupervisedLoop loop) {
    try (var c = newConsumer()) {
      consumer = c;
      List<TopicPartition> partitions = awaitPartitions(c, loop);
      c.assign(partitions);
      c.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = c.endOffsets(partitions);
      while (!loop.stopping()) {
        loop.alive();
        for (ConsumerRecord<String, Decoded<T>> record : c.poll(POLL)) {
          handle(record);
        }
        if (!caughtUp
            && ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
          caughtUp = true;
          LOG.info("adapter registry caught up with {}", topic);
        }
      }
    } catch (WakeupException e) {
      if (!loop.stopping()) {
        throw e;
      }
    }
  }

  /** The topic may not exist yet (nothing published, topics not created): wait for it. */
  private List<TopicPartition> awaitPartitions(
      KafkaConsumer<String, Decoded<T>> consumer, SupervisedLoop loop) {
    while (!loop.stopping()) {
      loop.alive();
      var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
      if (infos != null && !infos.isEmpty()) {
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      }
      LOG.info("waiting for topic {} to exist", topic);
      try {
        Thread.sleep(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new WakeupException();
  }

  private void handle(ConsumerRecord<String, Decoded<T>> record) {
    Decoded<T> value = record.value();
    if (value == null) {
      // A tombstone: compaction bookkeeping. Versions are immutable and alias states are never
      // deleted (the trainer, their one writer, only moves them), so there is nothing to undo.
      return;
    }
    if (!value.isValid()) {
      LOG.warn(
          "skipping a malformed record on {} at partition {} offset {}",
          record.topic(),
          record.partition(),
          record.offset());
      return;
    }
    T message = value.value();
    LOG.info("{} record {}", topic, record.key());
    try {
      onRecord.accept(message);
    } catch (RuntimeException e) {
      LOG.warn("could not register {} record {}", topic, record.key(), e);
    }
  }

  @Override
  public void close() {
    loop.close();
  }
}
