package dev.tuneloop.trainer;

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
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.LoraConfig;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.trainer.engine.CurvePoint;
import dev.tuneloop.trainer.engine.TrainingConfig;
import dev.tuneloop.trainer.engine.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Uploads a trained adapter to {@code adapters/{tenant}/{name}/{version}/} (PEFT files and
 * training.json), and only when every file is stored announces it on adapters.published. The
 * version is the job id, so a job that is run again after a crash between upload and announcement
 * rewrites the same version instead of adding one.
 */
public final class AdapterPublisher {

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

  public static String location(TrainingJobSpec spec) {
    return "adapters/"
        + spec.getTenant()
        + "/"
        + spec.getAdapterName()
        + "/"
        + spec.getJobId()
        + "/";
  }

  public AdapterPublished publish(
      TrainingJobSpec spec,
      TrainingConfig config,
      LoraAdapter adapter,
      BaseModelId base,
      String chatTemplate,
      SnapshotManifest dataset,
      TrainingResult result)
      throws Exception {
    String location = location(spec);
    Path dir = Files.createTempDirectory(Files.createDirectories(workDir), "adapter-");
    try {
      PeftAdapters.save(adapter, dir, base);
      Map<String, Double> metrics = metrics(result, dataset);
      Files.write(
          dir.resolve("training.json"),
          trainingJson(spec, config, chatTemplate, dataset, result, metrics));
      for (String file : List.of(PeftAdapters.WEIGHTS, PeftAdapters.CONFIG, "training.json")) {
        store.putFile(
            location + file,
            dir.resolve(file),
            file.endsWith(".json") ? "application/json" : "application/octet-stream");
      }
      Instant now = Instant.now();
      AdapterPublished published =
          AdapterPublished.newBuilder()
              .setTenant(spec.getTenant())
              .setName(spec.getAdapterName())
              .setVersion(spec.getJobId())
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
              .setPublishedAt(Timestamps.of(now))
              .build();
      producer
          .send(
              new ProducerRecord<>(
                  topic, Topics.adapterKey(spec.getTenant(), spec.getAdapterName()), published))
          .get(30, TimeUnit.SECONDS);
      return published;
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
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
      Map<String, Double> metrics)
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
    root.set("metrics", JSON.valueToTree(metrics));
    root.put("stopped_early", result.stoppedEarly());
    root.set("warnings", JSON.valueToTree(result.warnings()));
    root.set("loss_curve", curve(result.lossCurve()));
    root.set("eval_curve", curve(result.evalCurve()));
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
