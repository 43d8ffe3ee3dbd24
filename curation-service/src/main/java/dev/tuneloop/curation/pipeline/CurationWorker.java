package dev.tuneloop.curation.pipeline;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import dev.tuneloop.curation.policy.PolicyBook;
import dev.tuneloop.curation.retrain.DriftBook;
import dev.tuneloop.curation.retrain.RetrainPlanner;
import dev.tuneloop.curation.retrain.RetrainTrigger;
import dev.tuneloop.curation.retrain.SnapshotCutter;
import dev.tuneloop.curation.rules.DatasetCurator;
import dev.tuneloop.curation.rules.Decision;
import dev.tuneloop.curation.rules.Rejection;
import dev.tuneloop.curation.stats.QualityBook;
import dev.tuneloop.curation.stats.StatsBook;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.RejectedExample;
import dev.tuneloop.servicekit.supervision.SupervisedLoop;
import dev.tuneloop.servicekit.supervision.Supervisor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The curation loop: consume examples.raw in a group, decide each record, and write the decisions
 * together with the consumed offsets in one Kafka transaction (read-process-write), so every raw
 * record ends up curated or rejected exactly once, whatever crashes. After each committed batch the
 * retrain policy of the touched datasets is checked ({@link RetrainTrigger}).
 *
 * <p>Any failure (an {@code Error} too) ends the session: producer and consumer are closed,
 * in-memory state is thrown away and rebuilt from the output topics ({@link CurationState}), and
 * the {@link SupervisedLoop} "curation-worker" starts a new session after its backoff, reporting
 * DOWN on {@code /health} meanwhile; the transactional id is stable, so the new producer fences the
 * old one and aborts whatever transaction it left open.
 */
public final class CurationWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CurationWorker.class);

  /**
   * Wiring of one worker. {@code transactionalId} must be stable per instance and unique across
   * instances.
   */
  public record Config(
      KafkaSettings kafka,
      CurationTopics topics,
      String group,
      String transactionalId,
      Duration scheduleCheckInterval) {}

  private final Config config;
  private final PolicyBook policies;
  private final TemplateProfiles templates;
  private final StatsBook stats;
  private final RetrainPlanner planner;
  private final DriftBook drift = new DriftBook();
  private final QualityBook quality = new QualityBook();
  private final SnapshotCutter cutter;
  private final ObjectStore store;
  private final Clock clock;
  private final SupervisedLoop loop;
  private final AtomicLong decided = new AtomicLong();
  private volatile boolean halted;
  private volatile Session session;

  public CurationWorker(
      Config config,
      PolicyBook policies,
      TemplateProfiles templates,
      StatsBook stats,
      RetrainPlanner planner,
      ObjectStore store,
      Clock clock) {
    this(config, policies, templates, stats, planner, store, clock, Supervisor.standalone());
  }

  public CurationWorker(
      Config config,
      PolicyBook policies,
      TemplateProfiles templates,
      StatsBook stats,
      RetrainPlanner planner,
      ObjectStore store,
      Clock clock,
      Supervisor supervisor) {
    this.config = config;
    this.policies = policies;
    this.templates = templates;
    this.stats = stats;
    this.planner = planner;
    this.store = store;
    this.cutter = new SnapshotCutter(config.kafka(), config.topics().curated(), store, 10_000);
    this.clock = clock;
    this.loop = supervisor.loop("curation-worker", this::runSession, this::wakeup);
  }

  public CurationWorker start() {
    loop.start();
    return this;
  }

  /** The supervised loop running the sessions (its health, fault injection in tests). */
  public SupervisedLoop loop() {
    return loop;
  }

  /** Records decided and committed by this worker object (all sessions). */
  public long decided() {
    return decided.get();
  }

  public StatsBook stats() {
    return stats;
  }

  public RetrainPlanner planner() {
    return planner;
  }

  /** What was rejected per dataset and why (rebuilt with each session). */
  public QualityBook quality() {
    return quality;
  }

  /** Prompt drift per dataset since its last retrain request (rebuilt with each session). */
  public DriftBook drift() {
    return drift;
  }

  /** Sessions one after another; a reassignment is a planned new session, not a failure. */
  private void runSession(SupervisedLoop loop) {
    while (!loop.stopping()) {
      try (Session s = new Session()) {
        session = s;
        s.run();
      } catch (Reassigned e) {
        log.info("{}; starting a new session", e.getMessage());
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        if (!loop.stopping()) {
          throw e;
        }
      }
    }
  }

  /** Partitions moved: the memory must be rebuilt for what this instance now owns. */
  private static final class Reassigned extends RuntimeException {
    Reassigned() {
      super("partitions were reassigned; rebuilding curation state");
    }
  }

  private void wakeup() {
    Session s = session;
    if (s != null) {
      s.consumer.wakeup();
    }
  }

  /** Graceful stop: finishes the batch in hand (committed), then closes. */
  @Override
  public void close() throws InterruptedException {
    loop.close();
  }

  /**
   * Stops as a crash would: the producer is closed at once, mid-transaction if one is open, and
   * nothing is committed or aborted on the way out (for tests of exactly-once across crashes).
   */
  public void halt() throws InterruptedException {
    halted = true;
    Session s = session;
    if (s != null) {
      s.producer.close(Duration.ZERO);
    }
    loop.close();
  }

  private final class Session implements AutoCloseable {
    final KafkaProducer<String, MessageLite> producer;
    final KafkaConsumer<String, Decoded<Example>> consumer;
    final Curator curator = new Curator(policies, templates, clock);
    final RetrainTrigger retrain;
    volatile boolean reassigned;
    final Map<Integer, Long> curatedCommitted = new HashMap<>();

    Session() {
      // One request in flight per connection (KafkaSettings) also avoids transactions v2's
      // first-batch race
      // (KAFKA-18202), where pipelined batches are refused and retried after a back-off; batches
      // stay large (one poll).
      Map<String, Object> props =
          config.kafka().transactionalProducerProperties(config.transactionalId());
      producer = new KafkaProducer<>(props, new StringSerializer(), new ProtobufSerializer<>());
      consumer =
          new KafkaConsumer<>(
              config.kafka().consumerProperties(config.group()),
              new StringDeserializer(),
              new ProtobufDeserializer<>(Example.parser()));
      retrain =
          new RetrainTrigger(
              policies,
              policy -> templates.forPolicy(policy).name(),
              stats,
              planner,
              drift,
              cutter,
              producer,
              config.topics().trainingRequests(),
              config.scheduleCheckInterval());
    }

    void run() {
      producer.initTransactions(); // fences an earlier incarnation and aborts its open transaction
      CurationState.rebuild(
          config.kafka(), config.topics(), curator, stats, quality, planner, drift, store);
      consumer.subscribe(
          List.of(config.topics().raw()),
          new ConsumerRebalanceListener() {
            boolean first = true;

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
              // Memory was rebuilt for the whole topic at start; a later reassignment means another
              // instance wrote
              // decisions for datasets this one now owns, so the memory must be rebuilt.
              reassigned |= !first;
              first = false;
            }
          });
      while (!loop.stopping()) {
        loop.alive();
        ConsumerRecords<String, Decoded<Example>> records = consumer.poll(Duration.ofMillis(200));
        if (reassigned) {
          throw new Reassigned();
        }
        Set<String> touched = records.isEmpty() ? Set.of() : process(records);
        retrain.check(touched, curatedCommitted, clock.instant());
      }
    }

    private Set<String> process(ConsumerRecords<String, Decoded<Example>> records) {
      Map<String, Long> curatedBy = new HashMap<>();
      List<Map.Entry<String, CuratedExample>> curatedExamples = new ArrayList<>();
      List<Map.Entry<String, RejectedExample>> rejectedBy = new ArrayList<>();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      List<Future<RecordMetadata>> curatedWrites = new ArrayList<>();
      producer.beginTransaction();
      for (ConsumerRecord<String, Decoded<Example>> r : records) {
        String key = r.key() == null ? "unknown/unknown" : r.key();
        Decoded<Example> value = r.value();
        if (value == null || !value.isValid()) {
          RejectedExample rejected = malformed(r, value);
          producer.send(new ProducerRecord<>(config.topics().rejected(), key, rejected));
          rejectedBy.add(Map.entry(key, rejected));
        } else {
          Example example = value.value();
          switch (curator.decide(example)) {
            case Decision.Curated c -> {
              curatedWrites.add(
                  producer.send(new ProducerRecord<>(config.topics().curated(), key, c.example())));
              curatedBy.merge(key, 1L, Long::sum);
              curatedExamples.add(Map.entry(key, c.example()));
            }
            case Decision.Rejected rj -> {
              RejectedExample rejected = rejected(r, example, rj.rejections());
              producer.send(new ProducerRecord<>(config.topics().rejected(), key, rejected));
              rejectedBy.add(Map.entry(key, rejected));
            }
          }
        }
        offsets.put(
            new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
      }
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
      remember(curatedWrites);
      curatedBy.forEach(stats::curated);
      curatedBy.forEach(quality::curated);
      curatedExamples.forEach(e -> drift.curated(e.getKey(), e.getValue(), false));
      for (Map.Entry<String, RejectedExample> e : rejectedBy) {
        stats.rejected(e.getKey(), reasons(e.getValue()));
        quality.rejected(e.getKey(), e.getValue());
      }
      decided.addAndGet(records.count());
      Set<String> touched = new LinkedHashSet<>(curatedBy.keySet());
      return touched;
    }

    /**
     * Where this session's committed curated records end, per partition: a snapshot must wait until
     * it can read them.
     */
    private void remember(List<Future<RecordMetadata>> writes) {
      for (Future<RecordMetadata> write : writes) {
        try {
          RecordMetadata m = write.get(); // complete: the transaction committed
          curatedCommitted.merge(m.partition(), m.offset() + 1, Math::max);
        } catch (InterruptedException | ExecutionException e) {
          throw new IllegalStateException("a committed write has no metadata", e);
        }
      }
    }

    private static List<RejectReason> reasons(RejectedExample rejected) {
      return rejected.getRejectionsList().stream()
          .map(dev.tuneloop.proto.v1.Rejection::getReason)
          .toList();
    }

    private RejectedExample malformed(
        ConsumerRecord<String, Decoded<Example>> r, Decoded<Example> value) {
      byte[] bytes = value instanceof Decoded.Malformed<Example> m ? m.bytes() : new byte[0];
      String why =
          value instanceof Decoded.Malformed<Example> m
              ? m.error()
              : "empty record value (tombstone)";
      return base(r)
          .setRawPayload(ByteString.copyFrom(bytes))
          .addRejections(new Rejection(RejectReason.MALFORMED_RECORD, why).toProto())
          .build();
    }

    private RejectedExample rejected(
        ConsumerRecord<String, ?> r, Example example, List<Rejection> rejections) {
      RejectedExample.Builder b = base(r).setExample(example);
      rejections.forEach(x -> b.addRejections(x.toProto()));
      return b.build();
    }

    private RejectedExample.Builder base(ConsumerRecord<String, ?> r) {
      Instant now = clock.instant();
      return RejectedExample.newBuilder()
          .setSourceTopic(r.topic())
          .setSourcePartition(r.partition())
          .setSourceOffset(r.offset())
          .setCurationVersion(DatasetCurator.CURATION_VERSION)
          .setRejectedAt(Timestamps.of(now));
    }

    @Override
    public void close() {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.debug("consumer close: {}", e.toString());
      }
      if (!halted) {
        producer.close(Duration.ofSeconds(5));
      }
    }
  }
}
