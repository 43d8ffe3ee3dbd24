package dev.tuneloop.trainer.registry;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.AdapterAliases;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.AliasMove;
import dev.tuneloop.proto.v1.PromotionDecision;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves an adapter's aliases: each move writes the adapter's whole next {@link AdapterAliases}
 * (revision + 1, the move appended to the history, the publication of every aliased version in
 * {@code targets}) to adapters.aliases keyed {@code {tenant}/{adapter}}, waits for the ack and
 * until the {@link AliasView} has read it, so the next move builds on it. Moves of one adapter are
 * serialised by a lock in this process; with several trainer replicas moving the same adapter at
 * once, the later record wins (this is the one-writer assumption: only the trainer running the
 * adapter's job, or the registry API, moves it); a writer that happens to see another record of its
 * own revision logs a warning (best effort, not a guard).
 *
 * <p>A move to the version an alias already points at writes nothing, so a job rerun after a crash
 * repeats its moves harmlessly.
 *
 * <p>Rollback undoes the latest production move that is not itself undone: production moves form a
 * stack (a promote or gate pushes, a rollback pops the move it undid), so rolling back twice goes
 * two moves back, never forward again to the version just rolled back from.
 */
public final class AliasWriter {

  private static final Logger log = LoggerFactory.getLogger(AliasWriter.class);

  public static final String PRODUCTION = "production";
  public static final String CANDIDATE = "candidate";

  public static final String TRAIN = "train";
  public static final String GATE = "gate";
  public static final String PROMOTE = "promote";
  public static final String ROLLBACK = "rollback";

  /** The actor of the gate's moves. */
  public static final String GATE_ACTOR = "trainer/promotion-gate";

  /** The actor of moves that follow a training job. */
  public static final String TRAINER_ACTOR = "trainer";

  private final AliasView view;
  private final Producer<String, MessageLite> producer;
  private final String topic;
  private final int maxHistory;
  private final Duration timeout;
  private final Clock clock;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  public AliasWriter(
      AliasView view,
      Producer<String, MessageLite> producer,
      String topic,
      int maxHistory,
      Duration timeout) {
    this(view, producer, topic, maxHistory, timeout, Clock.systemUTC());
  }

  AliasWriter(
      AliasView view,
      Producer<String, MessageLite> producer,
      String topic,
      int maxHistory,
      Duration timeout,
      Clock clock) {
    if (maxHistory < 1) {
      throw new IllegalArgumentException(
          "trainer.registry.max-history must be at least 1, got " + maxHistory);
    }
    this.view = view;
    this.producer = producer;
    this.topic = topic;
    this.maxHistory = maxHistory;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** After training: candidate → the new version. */
  public AdapterAliases train(AdapterPublished version) throws Exception {
    return move(
        version.getTenant(),
        version.getName(),
        CANDIDATE,
        version,
        TRAIN,
        TRAINER_ACTOR,
        "trained by job " + version.getJobId());
  }

  /** After a passed gate: production → the version, the decision's reason recorded. */
  public AdapterAliases gate(AdapterPublished version, PromotionDecision decision)
      throws Exception {
    if (!decision.getPromote()) {
      throw new IllegalArgumentException(
          "the gate did not pass version " + version.getVersion() + ": " + decision.getReason());
    }
    return move(
        version.getTenant(),
        version.getName(),
        PRODUCTION,
        version,
        GATE,
        GATE_ACTOR,
        decision.getReason());
  }

  /**
   * Production → a published version of the adapter.
   *
   * @throws RegistryException NOT_FOUND naming the adapter's versions when it has no such version
   */
  public AdapterAliases promote(
      String tenant, String name, String version, String actor, String reason) throws Exception {
    AdapterPublished target = find(tenant, name, version);
    return move(tenant, name, PRODUCTION, target, PROMOTE, actor, reason);
  }

  /**
   * Production → the version it pointed at before the latest production move not yet undone.
   *
   * @throws RegistryException PRECONDITION when there is no such version
   */
  public AdapterAliases rollback(String tenant, String name, String actor, String reason)
      throws Exception {
    ReentrantLock lock = lock(tenant, name);
    lock.lock();
    try {
      view.awaitCaughtUp(timeout);
      AdapterAliases current = current(tenant, name);
      String previous = rollbackTarget(current.getHistoryList());
      if (previous == null) {
        throw new RegistryException(
            RegistryException.Kind.PRECONDITION,
            "adapter '"
                + name
                + "' has no previous production version to roll back to"
                + (current.containsAliases(PRODUCTION)
                    ? " (production is "
                        + current.getAliasesOrThrow(PRODUCTION)
                        + ", its first version)"
                    : " (it has no production version)"));
      }
      return write(current, PRODUCTION, find(tenant, name, previous), ROLLBACK, actor, reason);
    } finally {
      lock.unlock();
    }
  }

  /** The version a rollback goes to, null when none: see the class comment. */
  static String rollbackTarget(List<AliasMove> history) {
    Deque<AliasMove> moves = new ArrayDeque<>();
    for (AliasMove m : history) {
      if (!m.getAlias().equals(PRODUCTION)) {
        continue;
      }
      if (m.getAction().equals(ROLLBACK)) {
        moves.pollLast(); // undone (empty when the undone move fell out of the capped history)
      } else {
        moves.addLast(m);
      }
    }
    AliasMove latest = moves.peekLast();
    return latest == null || latest.getPreviousVersion().isEmpty()
        ? null
        : latest.getPreviousVersion();
  }

  private AdapterAliases move(
      String tenant,
      String name,
      String alias,
      AdapterPublished target,
      String action,
      String actor,
      String reason)
      throws Exception {
    ReentrantLock lock = lock(tenant, name);
    lock.lock();
    try {
      view.awaitCaughtUp(timeout);
      return write(current(tenant, name), alias, target, action, actor, reason);
    } finally {
      lock.unlock();
    }
  }

  private AdapterAliases write(
      AdapterAliases current,
      String alias,
      AdapterPublished target,
      String action,
      String actor,
      String reason)
      throws Exception {
    String previous = current.getAliasesOrDefault(alias, "");
    if (previous.equals(target.getVersion())) {
      return current; // already there: no record
    }
    List<AliasMove> history = new ArrayList<>(current.getHistoryList());
    history.add(
        AliasMove.newBuilder()
            .setAlias(alias)
            .setVersion(target.getVersion())
            .setPreviousVersion(previous)
            .setActor(actor)
            .setReason(reason)
            .setAt(Timestamps.of(clock.instant()))
            .setAction(action)
            .build());
    if (history.size() > maxHistory) {
      history = history.subList(history.size() - maxHistory, history.size());
    }
    Map<String, String> aliases = new HashMap<>(current.getAliasesMap());
    aliases.put(alias, target.getVersion());
    Map<String, AdapterPublished> targets = new HashMap<>();
    for (String version : aliases.values()) {
      targets.put(
          version,
          version.equals(target.getVersion()) ? target : current.getTargetsOrThrow(version));
    }
    AdapterAliases next =
        AdapterAliases.newBuilder()
            .setTenant(target.getTenant())
            .setName(target.getName())
            .putAllAliases(aliases)
            .putAllTargets(targets)
            .addAllHistory(history)
            .setRevision(current.getRevision() + 1)
            .build();
    RecordMetadata sent =
        producer
            .send(
                new ProducerRecord<>(
                    topic, Topics.adapterKey(next.getTenant(), next.getName()), next))
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    view.awaitRead(sent.topic(), sent.partition(), sent.offset(), timeout);
    AdapterAliases seen = view.aliases(next.getTenant(), next.getName()).orElse(next);
    if (seen.getRevision() == next.getRevision() && !seen.equals(next)) {
      // Another trainer wrote the same revision from the same base: the later record wins.
      log.warn(
          "adapter {}/{}: another writer moved its aliases at the same revision {}; now {}",
          next.getTenant(),
          next.getName(),
          next.getRevision(),
          seen.getAliasesMap());
    }
    return next;
  }

  private AdapterAliases current(String tenant, String name) {
    return view.aliases(tenant, name)
        .orElse(AdapterAliases.newBuilder().setTenant(tenant).setName(name).build());
  }

  private AdapterPublished find(String tenant, String name, String version) {
    return view.version(tenant, name, version)
        .orElseThrow(
            () -> {
              List<AdapterPublished> versions = view.versions(tenant, name);
              return new RegistryException(
                  RegistryException.Kind.NOT_FOUND,
                  versions.isEmpty()
                      ? "adapter '" + name + "' has no published versions"
                      : "adapter '"
                          + name
                          + "' has no version '"
                          + version
                          + "'; its versions (oldest first): "
                          + versions.stream()
                              .map(AdapterPublished::getVersion)
                              .collect(Collectors.joining(", ")));
            });
  }

  private ReentrantLock lock(String tenant, String name) {
    return locks.computeIfAbsent(Topics.adapterKey(tenant, name), k -> new ReentrantLock());
  }
}
