package dev.tuneloop.trainer.registry;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.AdapterAliases;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this trainer knows of every adapter's versions and aliases: reads adapters.aliases (the
 * latest {@link AdapterAliases} per adapter is its state) and adapters.published (every version)
 * from the beginning, without a consumer group, so every instance reads them whole. A writer waits
 * with {@link #awaitRead} until the view has read its own record, so the next move builds on it.
 * Runs as the supervised loop "adapter-aliases-view"; a run that dies is restarted and reads both
 * topics again (a state older than the one held, by revision, is ignored).
 */
public final class AliasView implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AliasView.class);

  private final KafkaSettings kafka;
  private final String aliasesTopic;
  private final String publishedTopic;
  private final SupervisedLoop loop;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Map<String, AdapterAliases> aliases = new ConcurrentHashMap<>();

  /** adapter key → version → its publication. */
  private final Map<String, Map<String, AdapterPublished>> versions = new ConcurrentHashMap<>();

  /** Next offset to read per partition (guarded by this). */
  private final Map<TopicPartition, Long> positions = new HashMap<>();

  private volatile KafkaConsumer<String, byte[]> consumer;

  public AliasView(
      KafkaSettings kafka, String aliasesTopic, String publishedTopic, Supervisor supervisor) {
    this.kafka = kafka;
    this.aliasesTopic = aliasesTopic;
    this.publishedTopic = publishedTopic;
    this.loop = supervisor.loop("adapter-aliases-view", this::run, this::wakeup);
  }

  public AliasView start() {
    loop.start();
    return this;
  }

  /** Waits until the view has read what both topics held when it started. */
  public void awaitCaughtUp(Duration timeout) throws InterruptedException, TimeoutException {
    if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new TimeoutException(
          "the adapter registry has not read "
              + aliasesTopic
              + " and "
              + publishedTopic
              + " within "
              + timeout);
    }
  }

  /** The adapter's alias state, empty when no alias of it was ever moved. */
  public Optional<AdapterAliases> aliases(String tenant, String name) {
    return Optional.ofNullable(aliases.get(Topics.adapterKey(tenant, name)));
  }

  /** The version an alias points at. */
  public Optional<AdapterPublished> alias(String tenant, String name, String alias) {
    return aliases(tenant, name)
        .flatMap(
            a ->
                Optional.ofNullable(a.getAliasesMap().get(alias))
                    .map(v -> a.getTargetsOrDefault(v, null)));
  }

  /** The production version: what a bare adapter name serves, and the baseline of evaluations. */
  public Optional<AdapterPublished> production(String tenant, String name) {
    return alias(tenant, name, AliasWriter.PRODUCTION);
  }

  /**
   * Every version of the adapter read from adapters.published or named by an alias, oldest first
   * (by published_at, then version id).
   */
  public List<AdapterPublished> versions(String tenant, String name) {
    Map<String, AdapterPublished> all =
        new HashMap<>(versions.getOrDefault(Topics.adapterKey(tenant, name), Map.of()));
    aliases(tenant, name).ifPresent(a -> a.getTargetsMap().forEach(all::putIfAbsent));
    return all.values().stream()
        .sorted(
            Comparator.<AdapterPublished>comparingLong(p -> p.getPublishedAt().getSeconds())
                .thenComparingInt(p -> p.getPublishedAt().getNanos())
                .thenComparing(AdapterPublished::getVersion))
        .toList();
  }

  public Optional<AdapterPublished> version(String tenant, String name, String version) {
    return versions(tenant, name).stream().filter(p -> p.getVersion().equals(version)).findFirst();
  }

  /**
   * Waits until the view has read the record at {@code offset} of the topic's partition.
   *
   * @throws TimeoutException when it has not within {@code timeout}
   */
  public void awaitRead(String topic, int partition, long offset, Duration timeout)
      throws InterruptedException, TimeoutException {
    TopicPartition tp = new TopicPartition(topic, partition);
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (positions.getOrDefault(tp, -1L) <= offset) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new TimeoutException(
              "the adapter registry has not read " + tp + " up to offset " + offset);
        }
        wait(left);
      }
    }
  }

  private void run(SupervisedLoop loop) throws InterruptedException {
    Map<String, Object> props = kafka.consumerProperties("unused");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned partitions: every instance reads all
    try (var c =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      Set<TopicPartition> assigned = new HashSet<>();
      Map<TopicPartition, Long> end = Map.of();
      long nextRefresh = 0;
      while (!loop.stopping()) {
        loop.alive();
        // A topic may not exist yet (the first alias move creates adapters.aliases): look again
        // now and then until both have partitions.
        if (System.nanoTime() >= nextRefresh && !hasBoth(assigned)) {
          Set<TopicPartition> found = partitions(c);
          if (!found.equals(assigned)) {
            Set<TopicPartition> added = new HashSet<>(found);
            added.removeAll(assigned);
            c.assign(found);
            c.seekToBeginning(added);
            assigned = found;
            if (caughtUp.getCount() > 0) {
              end = c.endOffsets(found);
            }
          }
          nextRefresh = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        }
        if (assigned.isEmpty()) {
          caughtUp.countDown(); // nothing to catch up with
          Thread.sleep(200);
          continue;
        }
        for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(200))) {
          apply(record);
        }
        synchronized (this) {
          for (TopicPartition tp : assigned) {
            positions.merge(tp, c.position(tp), Math::max);
          }
          notifyAll();
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

  private boolean hasBoth(Set<TopicPartition> assigned) {
    return assigned.stream().anyMatch(tp -> tp.topic().equals(aliasesTopic))
        && assigned.stream().anyMatch(tp -> tp.topic().equals(publishedTopic));
  }

  private Set<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
    Set<TopicPartition> found = new HashSet<>();
    for (String topic : List.of(aliasesTopic, publishedTopic)) {
      c.partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> found.add(new TopicPartition(topic, p.partition())));
    }
    return found;
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return;
    }
    try {
      if (record.topic().equals(aliasesTopic)) {
        AdapterAliases state = AdapterAliases.parseFrom(record.value());
        aliases.merge(
            Topics.adapterKey(state.getTenant(), state.getName()),
            state,
            (held, read) -> read.getRevision() >= held.getRevision() ? read : held);
      } else {
        AdapterPublished p = AdapterPublished.parseFrom(record.value());
        versions
            .computeIfAbsent(
                Topics.adapterKey(p.getTenant(), p.getName()), k -> new ConcurrentHashMap<>())
            .put(p.getVersion(), p);
      }
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      log.warn(
          "skipping unreadable record {}-{}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
    }
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
    caughtUp.countDown();
  }
}
