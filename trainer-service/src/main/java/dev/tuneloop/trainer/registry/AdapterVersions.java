package dev.tuneloop.trainer.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.trainer.AdapterPublisher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The files beside a stored version: its evaluation and its training record. */
public final class AdapterVersions {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectStore store;

  public AdapterVersions(ObjectStore store) {
    this.store = store;
  }

  /** The version's eval.json; empty when it was published without an evaluation. */
  public Optional<EvalReport> eval(AdapterPublished version) throws IOException {
    String key = version.getLocation() + AdapterPublisher.EVAL;
    if (!store.exists(key)) {
      return Optional.empty();
    }
    var report = EvalReport.newBuilder();
    JsonFormat.parser()
        .ignoringUnknownFields()
        .merge(new String(store.get(key), StandardCharsets.UTF_8), report);
    return Optional.of(report.build());
  }

  /**
   * The manifest key of the dataset snapshot the version was trained on ({@code
   * dataset_snapshot.manifest} of its training.json): where its eval split comes from.
   *
   * @throws IllegalStateException when the version has no training record naming one
   */
  public String datasetManifest(AdapterPublished version) throws IOException {
    String key = version.getLocation() + AdapterPublisher.TRAINING;
    String manifest =
        JSON.readTree(store.get(key)).path("dataset_snapshot").path("manifest").asText("");
    if (manifest.isEmpty()) {
      throw new IllegalStateException(
          "the training record of "
              + version.getName()
              + "@"
              + version.getVersion()
              + " names no dataset snapshot");
    }
    return manifest;
  }
}
