package dev.tuneloop.gateway.api;

import dev.tuneloop.gateway.auth.Tenant;
import dev.tuneloop.gateway.upstream.UpstreamConfig;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.proto.v1.SubmitRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JSON Lines file of any size (up to {@code micronaut.server.max-request-size}, 1 GiB by default)
 * streamed to ingest line by line with constant memory, unlike {@code /examples}, which reads its
 * body whole and so stops at {@code micronaut.server.max-request-buffer-size} (4 MiB).
 */
@Controller("/v1/datasets/{dataset}")
@ExecuteOn(TaskExecutors.BLOCKING) // reads the body as a blocking stream, at ingest's pace
public class ExampleUploadController {
  private final Upstreams upstreams;
  private final UpstreamConfig config;
  private final long maxUploadBytes;
  private final Counter linesSent;
  private final AtomicInteger waiting;

  public ExampleUploadController(
      Upstreams upstreams,
      UpstreamConfig config,
      HttpServerConfiguration server,
      MeterRegistry meters) {
    this.upstreams = upstreams;
    this.config = config;
    this.maxUploadBytes = server.getMaxRequestSize();
    this.linesSent = meters.counter("tuneloop.gateway.upload.lines");
    this.waiting = meters.gauge("tuneloop.gateway.upload.waiting", new AtomicInteger());
  }

  /**
   * One example per line, in any ingest format ({@code ?format=auto} by default); answers the
   * summary of {@code SubmitStream} with each error's {@code index} the line's position from 0 and
   * its message starting {@code line N:}. A bad line fails alone.
   */
  @Post(uri = "/examples:upload", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public String upload(
      HttpRequest<?> http,
      @PathVariable String dataset,
      @Body InputStream body,
      @Nullable @QueryValue String format,
      @Nullable @Header("Idempotency-Key") String key) {
    DatasetController.checkDataset(dataset);
    if (key != null) {
      throw ApiException.badField(
          "Idempotency-Key",
          "not taken by an upload: each line is keyed by its content, so sending a file again"
              + " writes no line twice");
    }
    String tenant = Tenant.of(http);
    SubmitRequest template =
        SubmitRequest.newBuilder()
            .setTenant(tenant)
            .setDataset(dataset)
            .setFormat(format == null || format.isBlank() ? "auto" : format)
            .build();
    // No deadline for the whole call: it lasts as long as the body; JsonLinesUpload times stalls.
    var ingest = upstreams.ingestAsync(tenant).withDeadline(null);
    JsonLines lines = new JsonLines(body, JsonLinesUpload.MAX_LINE_BYTES);
    try (body) {
      return JsonBodies.print(
          new JsonLinesUpload(ingest, config.callTimeout(), maxUploadBytes, linesSent, waiting)
              .submit(template, lines));
    } catch (IOException e) {
      throw new UncheckedIOException("closing the upload's body", e);
    }
  }
}
