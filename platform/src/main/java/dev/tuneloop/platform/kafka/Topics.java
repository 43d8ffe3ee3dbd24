package dev.tuneloop.platform.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Every topic of the pipeline, its key convention and its settings. Values are Protobuf messages
 * from {@code dev.tuneloop.proto.v1}; keys are UTF-8 strings built by the helpers below, so the
 * same entity always lands on the same partition (per-key ordering).
 */
public final class Topics {

  /**
   * Examples emitted by other systems as Kafka events; ingest-service consumes them. Key: {@link
   * #datasetKey}.
   */
  public static final String EXAMPLES_INCOMING = "examples.incoming";

  /** {@code Example}s accepted by ingest. Key: {@link #datasetKey}. */
  public static final String EXAMPLES_RAW = "examples.raw";

  /**
   * {@code CuratedExample}s, written transactionally with the consumed offsets. Key: {@link
   * #datasetKey}.
   */
  public static final String EXAMPLES_CURATED = "examples.curated";

  /** {@code RejectedExample}s with reason codes (dead letters). Key: {@link #datasetKey}. */
  public static final String EXAMPLES_REJECTED = "examples.rejected";

  /** {@code TrainingJobSpec}s. Key: {@link #adapterKey}. */
  public static final String TRAINING_REQUESTS = "training.requests";

  /**
   * {@code RejectedTrainingRequest}s: training requests the trainer could not take, with the reason
   * (dead letters). Key: as the request's.
   */
  public static final String TRAINING_REQUESTS_REJECTED = "training.requests.rejected";

  /**
   * {@code TrainingJobEvent}s; compacted, so the latest event per job is its status. Key: the job
   * id.
   */
  public static final String TRAINING_EVENTS = "training.events";

  /**
   * {@code AdapterPublished}; compacted per version, so every version stays (versions are
   * immutable, and publishing one again writes the same record). Key: {@link #versionKey}.
   */
  public static final String ADAPTERS_PUBLISHED = "adapters.published";

  /**
   * {@code AdapterAliases}: the whole alias state of an adapter after each move; compacted, so the
   * latest record per adapter is its state. Key: {@link #adapterKey}.
   */
  public static final String ADAPTERS_ALIASES = "adapters.aliases";

  /**
   * Compacted topics keep every record at least this long before compaction may drop older ones per
   * key.
   */
  static final Duration MIN_COMPACTION_LAG = Duration.ofHours(24);

  private Topics() {}

  /** One topic's definition: name and the topic-level configs it is created with. */
  public record Spec(String name, Map<String, String> configs) {
    public Spec {
      Objects.requireNonNull(name, "name");
      configs = Map.copyOf(configs);
    }

    public boolean compacted() {
      return TopicConfig.CLEANUP_POLICY_COMPACT.equals(
          configs.get(TopicConfig.CLEANUP_POLICY_CONFIG));
    }
  }

  /** All pipeline topics, in pipeline order. */
  public static List<Spec> all() {
    return List.of(
        plain(EXAMPLES_INCOMING),
        plain(EXAMPLES_RAW),
        plain(EXAMPLES_CURATED),
        plain(EXAMPLES_REJECTED),
        plain(TRAINING_REQUESTS),
        plain(TRAINING_REQUESTS_REJECTED),
        compacted(TRAINING_EVENTS),
        compacted(ADAPTERS_PUBLISHED),
        compacted(ADAPTERS_ALIASES));
  }

  /** Key of examples.*: {@code "{tenant}/{dataset}"}. */
  public static String datasetKey(String tenant, String dataset) {
    return join(tenant, dataset, "dataset");
  }

  /** Key of training.requests and adapters.aliases: {@code "{tenant}/{adapter}"}. */
  public static String adapterKey(String tenant, String adapter) {
    return join(tenant, adapter, "adapter");
  }

  /** Key of adapters.published: {@code "{tenant}/{adapter}@{version}"}. */
  public static String versionKey(String tenant, String adapter, String version) {
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("version must be non-blank, got '" + version + "'");
    }
    return adapterKey(tenant, adapter) + "@" + version;
  }

  /** The two parts of a {@code "{tenant}/{name}"} key; the name may itself contain slashes. */
  public static String[] splitKey(String key) {
    int slash = key == null ? -1 : key.indexOf('/');
    if (slash <= 0 || slash == key.length() - 1) {
      throw new IllegalArgumentException(
          "Kafka key '" + key + "' is not of the form {tenant}/{name}");
    }
    return new String[] {key.substring(0, slash), key.substring(slash + 1)};
  }

  private static String join(String tenant, String name, String what) {
    if (tenant == null || tenant.isBlank() || tenant.contains("/")) {
      throw new IllegalArgumentException(
          "tenant must be non-blank and contain no '/', got '" + tenant + "'");
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(what + " name must be non-blank, got '" + name + "'");
    }
    return tenant + "/" + name;
  }

  private static Spec plain(String name) {
    return new Spec(name, Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1"));
  }

  private static Spec compacted(String name) {
    return new Spec(
        name,
        Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
            Long.toString(MIN_COMPACTION_LAG.toMillis())));
  }
}
