package dev.tuneloop.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuneloop.gateway.auth.Tenant;
import dev.tuneloop.gateway.upstream.UpstreamErrors;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.platform.config.Names;
import dev.tuneloop.proto.v1.DatasetStatsRequest;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitResponse;
import dev.tuneloop.proto.v1.SubmitSummary;
import dev.tuneloop.proto.v1.SubmitTranscriptRequest;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.ArrayList;
import java.util.List;

/**
 * Training data in (forwarded to ingest-service) and per-dataset statistics (from
 * curation-service).
 */
@Controller("/v1/datasets/{dataset}")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DatasetController {
  private final Upstreams upstreams;
  private final ExampleStreamer streamer;

  public DatasetController(Upstreams upstreams) {
    this.upstreams = upstreams;
    this.streamer = new ExampleStreamer(upstreams);
  }

  /**
   * One JSON record, an array of them or JSON Lines (one record per line), in any ingest format
   * ({@code ?format=auto} by default: pair, alpaca, sharegpt, openai, delimited). One record
   * answers {@code {example_ids, duplicate}}; an array or JSON Lines answers the summary of the
   * whole stream (index {@code [i]} is the i-th record, counted from 0). {@code Idempotency-Key}
   * applies to a single record.
   */
  @Post(uri = "/examples", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public String submitExamples(
      HttpRequest<?> http,
      @PathVariable String dataset,
      @Body String body,
      @Nullable @QueryValue String format,
      @Nullable @Header("Idempotency-Key") String key) {
    checkDataset(dataset);
    String keyProblem = Names.idempotencyKeyProblem(key == null ? null : key.strip());
    if (keyProblem != null) {
      throw ApiException.badField("Idempotency-Key", keyProblem);
    }
    List<JsonNode> documents = JsonBodies.parseAll(body);
    String tenant = Tenant.of(http);
    String chosenFormat = format == null || format.isBlank() ? "auto" : format;
    JsonNode json = documents.getFirst();
    if (documents.size() > 1 || json.isArray()) {
      List<JsonNode> items = documents.size() > 1 ? documents : list(json);
      if (items.isEmpty()) {
        throw ApiException.badRequest("The array of examples is empty.");
      }
      List<SubmitRequest> records = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        SubmitRequest record =
            record(tenant, dataset, items.get(i), chosenFormat, "[" + i + "]", null);
        UpstreamLimits.checkMessageSize(record.getSerializedSize());
        records.add(record);
      }
      SubmitSummary summary = streamer.submitAll(tenant, records);
      return JsonBodies.print(summary);
    }
    SubmitRequest record = record(tenant, dataset, json, chosenFormat, "body", key);
    UpstreamLimits.checkMessageSize(record.getSerializedSize());
    SubmitResponse response =
        UpstreamErrors.call(
            Upstreams.INGEST, () -> upstreams.ingest(Tenant.of(http)).submit(record));
    return JsonBodies.print(response);
  }

  /** A support transcript; see {@link TranscriptJson} for the body. */
  @Post(uri = "/transcripts", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public String submitTranscript(
      HttpRequest<?> http, @PathVariable String dataset, @Body String body) {
    checkDataset(dataset);
    SubmitTranscriptRequest request =
        TranscriptJson.parse(JsonBodies.parse(body), Tenant.of(http), dataset);
    return JsonBodies.print(
        UpstreamErrors.call(
            Upstreams.INGEST, () -> upstreams.ingest(Tenant.of(http)).submitTranscript(request)));
  }

  @Get(uri = "/stats", produces = MediaType.APPLICATION_JSON)
  public String stats(HttpRequest<?> http, @PathVariable String dataset) {
    checkDataset(dataset);
    DatasetStatsRequest request =
        DatasetStatsRequest.newBuilder().setTenant(Tenant.of(http)).setDataset(dataset).build();
    return JsonBodies.print(
        UpstreamErrors.call(
            Upstreams.CURATION,
            () -> upstreams.curation(Tenant.of(http)).getDatasetStats(request)));
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> items = new ArrayList<>(array.size());
    array.forEach(items::add);
    return items;
  }

  private static SubmitRequest record(
      String tenant,
      String dataset,
      JsonNode json,
      String format,
      String field,
      String idempotencyKey) {
    if (!json.isObject()) {
      throw ApiException.badField(field, "each example must be a JSON object");
    }
    SubmitRequest.Builder record =
        SubmitRequest.newBuilder()
            .setTenant(tenant)
            .setDataset(dataset)
            .setFormat(format)
            .setJson(json.toString());
    if (idempotencyKey != null && !idempotencyKey.isBlank()) {
      record.setIdempotencyKey(idempotencyKey);
    }
    return record.build();
  }

  /** The rule ingest applies too ({@link Names}), so a name is refused here with its words. */
  static void checkDataset(String dataset) {
    String problem = Names.nameProblem(dataset);
    if (problem != null) {
      throw ApiException.badField("dataset", problem);
    }
  }
}
