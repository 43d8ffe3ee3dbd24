package dev.tuneloop.servicekit.kafka;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows every partition of one Protobuf topic without a consumer group (assigned partitions, no
 * commits: every instance reads it all), handing each readable record to a handler, as a {@link
 * SupervisedLoop}: a run that dies is restarted and positions the consumer again (from the
 * beginning, unless {@link #from} says otherwise), so handlers must take a record twice.
 *
 * <p>A topic that does not exist yet is waited for. {@link #caughtUp()} opens once the follower has
 * read what the topic held when a run started (at once when the topic has no partitions yet, and on
 * {@link #close()}, so nobody waits on a closed follower). Tombstones and records that do not parse
 * are skipped.
 *
 * <p>Configure with {@link #clientId}, {@link #poll}, {@link #after} and {@link #from} before
 * {@link #start()}.
 */
public final class TopicFollower<T extends MessageLite> implements AutoCloseable {

  /** Takes one readable record; the raw record gives its timestamp, partition and offset. */
  @FunctionalInterface
  public interface Handler<T> {
    void accept(T value, ConsumerRecord<String, Decoded<T>> record) throws Exception;
  }

  /** Where a run starts reading, once the partitions are assigned. */
  @FunctionalInterface
  public interface StartPosition {
    void seek(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) throws Exception;
  }

  private static final Duration TOPIC_WAIT = Duration.ofMillis(500);

  private final KafkaSettings kafka;
  private final String topic;
  private final Parser<T> parser;
  private final Handler<T> handler;
  private final SupervisedLoop loop;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private String clientIdSuffix;
  private Duration poll = Duration.ofMillis(500);
  private CountDownLatch ready = new CountDownLatch(0);
  private StartPosition start = KafkaConsumer::seekToBeginning;
  private volatile KafkaConsumer<String, Decoded<T>> consumer;

  /**
   * @param loopName the supervised loop's name, as {@code /health} shows it
   */
  public TopicFollower(
      KafkaSettings kafka,
      String topic,
      Parser<T> parser,
      String loopName,
      Supervisor supervisor,
      Handler<T> handler) {
    this.kafka = kafka;
    this.topic = topic;
    this.parser = parser;
    this.handler = handler;
    this.loop = supervisor.loop(loopName, this::run, this::wakeup);
  }

  /** The consumer's client id is the service's prefix, a dash and this (default: the prefix). */
  public TopicFollower<T> clientId(String suffix) {
    this.clientIdSuffix = suffix;
    return this;
  }

  /** How long one poll waits for records (default 500 ms). */
  public TopicFollower<T> poll(Duration poll) {
    this.poll = poll;
    return this;
  }

  /** Each run waits for this latch before it opens its consumer. */
  public TopicFollower<T> after(CountDownLatch ready) {
    this.ready = ready;
    return this;
  }

  /** Where each run starts reading (default: the beginning of every partition). */
  public TopicFollower<T> from(StartPosition start) {
    this.start = start;
    return this;
  }

  public TopicFollower<T> start() {
    loop.start();
    return this;
  }

  public SupervisedLoop loop() {
    return loop;
  }

  public CountDownLatch caughtUp() {
    return caughtUp;
  }

  private void run(SupervisedLoop loop) throws Exception {
    ready.await();
    Map<String, Object> props = kafka.consumerProperties("unused");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned partitions, no group
    if (clientIdSuffix != null) {
      props.put(ConsumerConfig.CLIENT_ID_CONFIG, kafka.clientIdPrefix() + "-" + clientIdSuffix);
    }
    try (var c =
        new KafkaConsumer<>(props, new StringDeserializer(), new ProtobufDeserializer<>(parser))) {
      consumer = c;
      List<TopicPartition> partitions = awaitPartitions(c, loop);
      c.assign(partitions);
      start.seek(c, partitions);
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      while (!loop.stopping()) {
        loop.alive();
        for (ConsumerRecord<String, Decoded<T>> record : c.poll(poll)) {
          if (record.value() != null && record.value().isValid()) {
            handler.accept(record.value().value(), record);
          }
        }
        if (caughtUp.getCount() > 0
            && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      if (!loop.stopping()) {
        throw e;
      }
    }
  }

  /** The topic may not exist yet: looks again every half second (empty once stopping). */
  private List<TopicPartition> awaitPartitions(
      KafkaConsumer<String, Decoded<T>> c, SupervisedLoop loop) throws InterruptedException {
    List<TopicPartition> partitions = List.of();
    while (partitions.isEmpty() && !loop.stopping()) {
      loop.alive();
      partitions =
          c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      if (partitions.isEmpty()) {
        caughtUp.countDown(); // nothing to catch up with
        Thread.sleep(TOPIC_WAIT);
      }
    }
    return partitions;
  }

  private void wakeup() {
    var c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  @Override
  public void close() {
    loop.close();
    caughtUp.countDown(); // never leave anyone waiting on a closed follower
  }
}
