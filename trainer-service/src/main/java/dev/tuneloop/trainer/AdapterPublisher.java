package dev.tuneloop.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.util.JsonFormat;
import dev.tuneloop.llm.checkpoint.BaseModelId;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.PeftAdapters;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.storage.ObjectInfo;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.storage.Sha256;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.engine.CurvePoint;
import dev.tuneloop.trainer.engine.TrainingConfig;
import dev.tuneloop.trainer.engine.TrainingResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Stores a trained adapter as a content-addressed version under {@code
 * adapters/{tenant}/{name}/{version}/} (PEFT files and training.json), and announces it on
 * adapters.published (key {@link Topics#versionKey}) once every file is stored.
 *
 * <p>The version is the first 16 hex digits of SHA-256 over {@code adapter_model.safetensors} then
 * {@code adapter_config.json} ({@link #version}); PEFT saving is deterministic and the base model's
 * digest is in the safetensors metadata, so the same weights on the same base are the same version.
 * Storing a version that is already complete (both PEFT files with the same stored SHA-256, and its
 * training.json) rewrites nothing: training.json stays the first job's record, and {@link #store}
 * returns the {@code AdapterPublished} recorded in it then. Announcing that again sends the
 * identical record under the same key, which is harmless on the compacted topic and is what makes a
 * rerun after a crash between {@link #store} and {@link #announce} announce the version after all.
 *
 * <p>The three steps are separate so that the job can evaluate a version between storing and
 * announcing it: {@link #store}, {@link #storeEval}, {@link #announce}; {@link #publish} does the
 * first and the last.
 */
public final class AdapterPublisher {

  /** The file beside a version's PEFT files with its evaluation (protobuf JSON, proto names). */
  public static final String EVAL = "eval.json";

  /** The file with the training record (and, under "published", the version's announcement). */
  public static final String TRAINING = "training.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectStore store;
  private final Producer<String, MessageLite> producer;
  private final String topic;
  private final Path workDir;

  public AdapterPublisher(
      ObjectStore store, Producer<String, MessageLite> producer, String topic, Path workDir) {
    this.store = store;
    this.producer = producer;
    this.topic = topic;
    this.workDir = workDir;
  }

  /** {@code adapters/{tenant}/{name}/{version}/}. */
  public static String location(String tenant, String name, String version) {
    return "adapters/" + tenant + "/" + name + "/" + version + "/";
  }

  /** The first 16 hex digits of SHA-256 over the weights file's bytes then the config's. */
  public static String version(Path weights, Path config) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    digest.update(Files.readAllBytes(weights));
    digest.update(Files.readAllBytes(config));
    return Sha256.hex(digest).substring(0, 16);
  }

  /** Store, then announce: for a job that does not evaluate. */
  public AdapterPublished publish(
      TrainingJobSpec spec,
      TrainingConfig config,
      LoraAdapter adapter,
      BaseModelId base,
      String chatTemplate,
      SnapshotManifest dataset,
      TrainingResult result)
      throws Exception {
    AdapterPublished published = store(spec, config, adapter, base, chatTemplate, dataset, result);
    announce(published);
    return published;
  }

  /**
   * {@link #store(TrainingJobSpec, TrainingConfig, LoraAdapter, BaseModelId, String,
   * SnapshotManifest, TrainingResult, String) store} for an adapter trained from a fresh start.
   */
  public AdapterPublished store(
      TrainingJobSpec spec,
      TrainingConfig config,
      LoraAdapter adapter,
      BaseModelId base,
      String chatTemplate,
      SnapshotManifest dataset,
      TrainingResult result)
      throws Exception {
    return store(spec, config, adapter, base, chatTemplate, dataset, result, "");
  }

  /**
   * Saves the adapter, derives its version and uploads the version's files (training.json last, so
   * its presence means the version is complete), unless that version is stored already. Returns the
   * version's {@code AdapterPublished}, not yet announced: this job's, or the one recorded by the
   * job that stored the version first.
   *
   * @param initVersion the version whose weights training started from ("" for a fresh adapter),
   *     recorded in training.json
   */
  public AdapterPublished store(
      TrainingJobSpec spec,
      TrainingConfig config,
      LoraAdapter adapter,
      BaseModelId base,
      String chatTemplate,
      SnapshotManifest dataset,
      TrainingResult result,
      String initVersion)
      throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(workDir), "adapter-");
    try {
      PeftAdapters.save(adapter, dir, base);
      Path weights = dir.resolve(PeftAdapters.WEIGHTS);
      Path peftConfig = dir.resolve(PeftAdapters.CONFIG);
      String version = version(weights, peftConfig);
      String location = location(spec.getTenant(), spec.getAdapterName(), version);
      Optional<AdapterPublished> stored = storedVersion(location, weights, peftConfig);
      if (stored.isPresent()) {
        return stored.get();
      }
      Map<String, Double> metrics = metrics(result, dataset);
      AdapterPublished published =
          AdapterPublished.newBuilder()
              .setTenant(spec.getTenant())
              .setName(spec.getAdapterName())
              .setVersion(version)
              .setLocation(location)
              .setBaseModelId(base.name())
              .setBaseModelSha256(base.sha256())
              .setJobId(spec.getJobId())
              .setLora(
                  LoraConfig.newBuilder()
                      .setLoraR(config.lora().r())
                      .setLoraAlpha((float) config.lora().alpha())
                      .setLoraDropout((float) config.lora().dropout())
                      .addAllTargetModules(config.lora().targetModules())
                      .setUseRslora(config.lora().useRslora()))
              .setChatTemplate(chatTemplate)
              .putAllMetrics(metrics)
              .setPublishedAt(Timestamps.of(Instant.now()))
              .build();
      Files.write(
          dir.resolve(TRAINING),
          trainingJson(
              spec, config, chatTemplate, dataset, result, metrics, published, initVersion));
      for (String file : List.of(PeftAdapters.WEIGHTS, PeftAdapters.CONFIG, TRAINING)) {
        store.putFile(
            location + file,
            dir.resolve(file),
            file.endsWith(".json") ? "application/json" : "application/octet-stream");
      }
      return published;
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Writes {@code eval.json} beside the version (replacing an earlier evaluation of it). */
  public void storeEval(AdapterPublished published, EvalReport report) throws IOException {
    store.put(
        published.getLocation() + EVAL,
        JsonFormat.printer()
            .preservingProtoFieldNames()
            .print(report)
            .getBytes(StandardCharsets.UTF_8),
        "application/json");
  }

  /** Sends the version on adapters.published (key {@code {tenant}/{name}@{version}}), acked. */
  public RecordMetadata announce(AdapterPublished published) throws Exception {
    return producer
        .send(
            new ProducerRecord<>(
                topic,
                Topics.versionKey(
                    published.getTenant(), published.getName(), published.getVersion()),
                published))
        .get(30, TimeUnit.SECONDS);
  }

  /**
   * The announcement recorded in the version's training.json, when the version is complete with
   * these very PEFT files (their SHA-256 as the object store recorded it at upload).
   */
  private Optional<AdapterPublished> storedVersion(String location, Path weights, Path config)
      throws IOException {
    for (Path file : List.of(weights, config)) {
      String sha = Sha256.hex(Files.readAllBytes(file));
      Optional<String> stored =
          store.stat(location + file.getFileName()).flatMap(ObjectInfo::sha256);
      if (stored.isEmpty() || !stored.get().equals(sha)) {
        return Optional.empty();
      }
    }
    if (!store.exists(location + TRAINING)) {
      return Optional.empty(); // a crash mid-upload: store it all again
    }
    JsonNode published = JSON.readTree(store.get(location + TRAINING)).path("published");
    if (!published.isObject()) {
      return Optional.empty();
    }
    var builder = AdapterPublished.newBuilder();
    JsonFormat.parser().ignoringUnknownFields().merge(published.toString(), builder);
    return Optional.of(builder.build());
  }

  static Map<String, Double> metrics(TrainingResult result, SnapshotManifest dataset) {
    var metrics = new java.util.LinkedHashMap<String, Double>();
    metrics.put("steps", (double) result.steps());
    metrics.put("final_loss", result.finalLoss());
    if (!Double.isNaN(result.initialEvalLoss())) {
      metrics.put("initial_eval_loss", result.initialEvalLoss());
      metrics.put("eval_loss", result.bestEvalLoss());
      metrics.put("best_step", (double) result.bestStep());
    }
    metrics.put("train_tokens", (double) result.tokensSeen());
    metrics.put("tokens_per_second", result.tokensPerSecond());
    metrics.put("dataset_examples", (double) dataset.count());
    return metrics;
  }

  private static byte[] trainingJson(
      TrainingJobSpec spec,
      TrainingConfig config,
      String chatTemplate,
      SnapshotManifest dataset,
      TrainingResult result,
      Map<String, Double> metrics,
      AdapterPublished published,
      String initVersion)
      throws IOException, InvalidProtocolBufferException {
    ObjectNode root = JSON.createObjectNode();
    root.set("spec", JSON.readTree(JsonFormat.printer().preservingProtoFieldNames().print(spec)));
    root.set("resolved_config", JSON.valueToTree(config));
    root.put("chat_template", chatTemplate);
    ObjectNode data = root.putObject("dataset_snapshot");
    data.put("manifest", spec.getDatasetSnapshot());
    data.put("snapshot_id", dataset.snapshotId());
    data.put("sha256", dataset.sha256());
    data.put("count", dataset.count());
    if (dataset.composition() != null) { // new data, replay buffer and eval records
      data.set("composition", JSON.valueToTree(dataset.composition()));
    }
    root.put("init_version", initVersion);
    root.set("metrics", JSON.valueToTree(metrics));
    root.put("stopped_early", result.stoppedEarly());
    root.set("warnings", JSON.valueToTree(result.warnings()));
    root.set("loss_curve", curve(result.lossCurve()));
    root.set("eval_curve", curve(result.evalCurve()));
    root.set(
        "published",
        JSON.readTree(JsonFormat.printer().preservingProtoFieldNames().print(published)));
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
  }

  private static com.fasterxml.jackson.databind.node.ArrayNode curve(List<CurvePoint> points) {
    var array = JSON.createArrayNode();
    for (CurvePoint p : points) {
      array.addArray().add(p.step()).add(p.value());
    }
    return array;
  }
}
