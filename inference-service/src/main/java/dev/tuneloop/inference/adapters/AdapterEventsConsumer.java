package dev.tuneloop.inference.adapters;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.AdapterPublished;
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
 * topic keeps that replay short. Runs on its own thread until closed.
 */
public final class AdapterEventsConsumer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdapterEventsConsumer.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final KafkaConsumer<String, Decoded<AdapterPublished>> consumer;
  private final String topic;
  private final Consumer<AdapterPublished> onPublished;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean caughtUp;

  /**
   * @param topic adapters.published ({@link Topics#ADAPTERS_PUBLISHED}) unless tests use their own
   */
  public AdapterEventsConsumer(
      KafkaSettings settings, String topic, Consumer<AdapterPublished> onPublished) {
    this.topic = topic;
    Map<String, Object> props = settings.consumerProperties("inference-adapter-registry");
    // Never create the topic by asking for it: it must be created compacted (by the startup check
    // or an operator).
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    this.consumer =
        new KafkaConsumer<>(
            props, new StringDeserializer(), new ProtobufDeserializer<>(AdapterPublished.parser()));
    this.onPublished = onPublished;
    this.thread = Thread.ofPlatform().name("adapters-published").daemon().unstarted(this::run);
  }

  public AdapterEventsConsumer start() {
    thread.start();
    return this;
  }

  /** True once every publication present at assignment time has been handed over (readiness). */
  public boolean caughtUp() {
    return caughtUp;
  }

  private void run() {
    try {
      List<TopicPartition> partitions = awaitPartitions();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (running) {
        for (ConsumerRecord<String, Decoded<AdapterPublished>> record : consumer.poll(POLL)) {
          handle(record);
        }
        if (!caughtUp
            && ends.entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          caughtUp = true;
          LOG.info("adapter registry caught up with {}", topic);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("reading {} stopped; no new adapters will be loaded", topic, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** The topic may not exist yet (nothing published, topics not created): wait for it. */
  private List<TopicPartition> awaitPartitions() {
    while (running) {
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
    running = false;
    if (thread.getState() == Thread.State.NEW) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
