package dev.tuneloop.inference.adapters;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.platform.kafka.Topics;
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
 * Reads adapters.published from the beginning of every partition, without a consumer group's
 * committed offsets, so each start (and each replica) rebuilds the full registry; the compacted
 * topic keeps that replay short. Runs as the supervised loop "inference-adapter-events" until
 * closed: a run that dies is restarted (a fresh consumer, from the beginning again: registering a
 * publication twice is harmless) after a backoff, and {@code /health} is DOWN meanwhile.
 */
public final class AdapterEventsConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterEventsConsumer.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final KafkaSettings settings;
  private final String topic;
  private final Consumer<AdapterPublished> onPublished;
  private final SupervisedLoop loop;
  private volatile KafkaConsumer<String, Decoded<AdapterPublished>> consumer;
  private volatile boolean caughtUp;

  /**
   * @param topic adapters.published ({@link Topics#ADAPTERS_PUBLISHED}) unless tests use their own
   */
  public AdapterEventsConsumer(
      KafkaSettings settings, String topic, Consumer<AdapterPublished> onPublished) {
    this(settings, topic, onPublished, Supervisor.standalone());
  }

  public AdapterEventsConsumer(
      KafkaSettings settings,
      String topic,
      Consumer<AdapterPublished> onPublished,
      Supervisor supervisor) {
    this.settings = settings;
    this.topic = topic;
    this.onPublished = onPublished;
    this.loop = supervisor.loop("inference-adapter-events", this::run, this::wakeup);
  }

  public AdapterEventsConsumer start() {
    loop.start();
    return this;
  }

  public SupervisedLoop loop() {
    return loop;
  }

  private KafkaConsumer<String, Decoded<AdapterPublished>> newConsumer() {
    Map<String, Object> props = settings.consumerProperties("inference-adapter-registry");
    // Never create the topic by asking for it: it must be created compacted (by the startup check
    // or an operator).
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    return new KafkaConsumer<>(
        props, new StringDeserializer(), new ProtobufDeserializer<>(AdapterPublished.parser()));
  }

  private void wakeup() {
    var c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /** True once every publication present at assignment time has been handed over (readiness). */
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
        for (ConsumerRecord<String, Decoded<AdapterPublished>> record : c.poll(POLL)) {
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
      KafkaConsumer<String, Decoded<AdapterPublished>> consumer, SupervisedLoop loop) {
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

  private void handle(ConsumerRecord<String, Decoded<AdapterPublished>> record) {
    Decoded<AdapterPublished> value = record.value();
    if (value == null) {
      return; // tombstone: compaction bookkeeping, nothing to load
    }
    if (!value.isValid()) {
      LOG.warn(
          "skipping a malformed record on {} at partition {} offset {}",
          record.topic(),
          record.partition(),
          record.offset());
      return;
    }
    AdapterPublished published = value.value();
    LOG.info(
        "adapter published: {}/{}@{}",
        published.getTenant(),
        published.getName(),
        published.getVersion());
    try {
      onPublished.accept(published);
    } catch (RuntimeException e) {
      LOG.warn("could not register adapter {}@{}", published.getName(), published.getVersion(), e);
    }
  }

  @Override
  public void close() {
    loop.close();
  }
}
