package dev.tuneloop.gateway.api;

import dev.tuneloop.gateway.upstream.UpstreamErrors;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.SubmitError;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitSummary;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.micrometer.core.instrument.Counter;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streams a JSON Lines body to ingest's client-streaming {@code SubmitStream}, one record per line,
 * reading the body only as fast as ingest takes records: a line is read only once the call {@code
 * isReady()} (gRPC's flow control, which ingest drives by its own Kafka window). Each line is
 * forwarded as it is; ingest parses it and reports a bad line in the summary, so the stream's index
 * is the line's position. Only a line too long for one gRPC message is kept back, and reported
 * here.
 */
final class JsonLinesUpload {
  /** Room in the gRPC message for the envelope (tenant, dataset, format) around the line. */
  static final int MAX_LINE_BYTES = UpstreamLimits.MAX_MESSAGE_BYTES - 1024;

  private static final int MAX_ERRORS = 100; // as many as ingest's summary lists

  private final IngestServiceGrpc.IngestServiceStub ingest;
  private final Duration stallTimeout;
  private final long maxUploadBytes;
  private final Counter linesSent;
  private final AtomicInteger waiting;

  /**
   * @param ingest a stub for the caller's tenant, without a deadline (an upload takes as long as
   *     its body)
   * @param stallTimeout how long ingest may take no record, or the summary may take to come
   * @param maxUploadBytes {@code micronaut.server.max-request-size}, named in the 413
   * @param linesSent counts the lines sent to ingest
   * @param waiting the uploads now waiting for ingest to take a record (flow control at work)
   */
  JsonLinesUpload(
      IngestServiceGrpc.IngestServiceStub ingest,
      Duration stallTimeout,
      long maxUploadBytes,
      Counter linesSent,
      AtomicInteger waiting) {
    this.ingest = ingest;
    this.stallTimeout = stallTimeout;
    this.maxUploadBytes = maxUploadBytes;
    this.linesSent = linesSent;
    this.waiting = waiting;
  }

  SubmitSummary submit(SubmitRequest template, JsonLines lines) {
    Call call = null;
    List<Long> keptBack = new ArrayList<>(); // line indexes not sent; few: each is over 4 MiB
    List<SubmitError> errors = new ArrayList<>();
    long count = 0;
    try {
      for (JsonLines.Line line = lines.next(); line != null; line = lines.next()) {
        count++;
        SubmitRequest record =
            line.tooLong() ? null : template.toBuilder().setJson(line.text()).build();
        if (record == null || record.getSerializedSize() > UpstreamLimits.MAX_MESSAGE_BYTES) {
          keptBack.add(line.number() - 1);
          errors.add(error(line.number(), tooLong(line.bytes())));
          continue;
        }
        if (call == null) {
          call = new Call();
          ingest.submitStream(call);
        }
        call.send(record);
      }
    } catch (IOException | RuntimeException e) {
      if (!isOverLimit(e)) {
        if (call != null) {
          call.cancel(e);
        }
        throw e instanceof RuntimeException r ? r : new IllegalStateException("upload broke", e);
      }
      // What was sent is written; say how far it got so the client can send the rest.
      SubmitSummary sent = merge(call == null ? empty() : call.finish(), keptBack, errors);
      throw overLimit(count, sent);
    }
    if (count == 0) {
      throw ApiException.badRequest(
          "The upload is empty; send JSON Lines, one example (a JSON object) per line.");
    }
    return merge(call == null ? empty() : call.finish(), keptBack, errors);
  }

  /**
   * Ingest's summary with the lines kept back added, every error's index mapped from the stream
   * position to the line's (from 0) and its message starting with the line number.
   */
  static SubmitSummary merge(SubmitSummary upstream, List<Long> keptBack, List<SubmitError> own) {
    List<SubmitError> all = new ArrayList<>(own);
    for (SubmitError e : upstream.getErrorsList()) {
      long index = lineIndex(e.getIndex(), keptBack);
      all.add(error(index + 1, e.getMessage()));
    }
    all.sort(Comparator.comparingLong(SubmitError::getIndex));
    return upstream.toBuilder()
        .setReceived(upstream.getReceived() + keptBack.size())
        .setFailed(upstream.getFailed() + keptBack.size())
        .clearErrors()
        .addAllErrors(all.subList(0, Math.min(all.size(), MAX_ERRORS)))
        .build();
  }

  /** The line of the record sent at {@code streamIndex}: later by each line kept back before it. */
  static long lineIndex(long streamIndex, List<Long> keptBack) {
    long line = streamIndex;
    for (long skipped : keptBack) { // ascending
      if (skipped > line) {
        break;
      }
      line++;
    }
    return line;
  }

  private static SubmitError error(long lineNumber, String message) {
    return SubmitError.newBuilder()
        .setIndex(lineNumber - 1)
        .setMessage("line " + lineNumber + ": " + message)
        .build();
  }

  private static String tooLong(long bytes) {
    return "the line is "
        + bytes
        + " bytes; one record may be at most "
        + MAX_LINE_BYTES
        + " (the services' gRPC message limit); ingest then applies ingest.max-payload-bytes";
  }

  private static SubmitSummary empty() {
    return SubmitSummary.getDefaultInstance();
  }

  private static boolean isOverLimit(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ContentLengthExceededException) {
        return true;
      }
    }
    return false;
  }

  private ApiException overLimit(long linesStarted, SubmitSummary sent) {
    return new ApiException(
        HttpStatus.REQUEST_ENTITY_TOO_LARGE,
        "request_too_large",
        null,
        "The upload is larger than the limit of "
            + maxUploadBytes
            + " bytes (micronaut.server.max-request-size, env GATEWAY_MAX_UPLOAD_SIZE). The first "
            + sent.getReceived()
            + " lines were submitted (accepted "
            + sent.getAccepted()
            + ", duplicates "
            + sent.getDuplicates()
            + ", failed "
            + sent.getFailed()
            + "); send the rest, from line "
            + (sent.getReceived() + 1)
            + ", in another upload (a line sent again is a duplicate, not a second example).");
  }

  /**
   * One {@code SubmitStream} call: {@link #send} waits until gRPC is ready for another record, so
   * at most gRPC's small outbound buffer is queued however fast the body arrives.
   */
  private final class Call implements ClientResponseObserver<SubmitRequest, SubmitSummary> {
    private final CompletableFuture<SubmitSummary> summary = new CompletableFuture<>();
    private final Object readiness = new Object();
    private ClientCallStreamObserver<SubmitRequest> requests;

    @Override
    public void beforeStart(ClientCallStreamObserver<SubmitRequest> requests) {
      this.requests = requests;
      requests.setOnReadyHandler(this::wake);
    }

    void send(SubmitRequest record) {
      long deadline = System.nanoTime() + stallTimeout.toNanos();
      if (!requests.isReady()) {
        waiting.incrementAndGet();
        try {
          awaitReady(deadline);
        } finally {
          waiting.decrementAndGet();
        }
      }
      if (summary.isDone()) { // the call ended early: ingest refused it or went away
        throw failure();
      }
      requests.onNext(record);
      linesSent.increment();
    }

    private void awaitReady(long deadline) {
      synchronized (readiness) {
        while (!requests.isReady() && !summary.isDone()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            requests.cancel("ingest took no record for " + stallTimeout, null);
            throw stalled();
          }
          try {
            readiness.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requests.cancel("the upload was interrupted", e);
            throw new IllegalStateException("interrupted while waiting for ingest", e);
          }
        }
      }
    }

    SubmitSummary finish() {
      requests.onCompleted();
      try {
        return summary.get(stallTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        requests.cancel("no summary in time", null);
        throw stalled();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        requests.cancel("the upload was interrupted", e);
        throw new IllegalStateException("interrupted while waiting for ingest", e);
      } catch (ExecutionException e) {
        throw UpstreamErrors.toApi(Upstreams.INGEST, e.getCause());
      }
    }

    void cancel(Throwable why) {
      requests.cancel("the HTTP upload failed", why);
    }

    private ApiException failure() {
      try {
        summary.join();
        return new ApiException(
            HttpStatus.BAD_GATEWAY,
            "upstream_error",
            null,
            Upstreams.INGEST + " answered before the upload ended");
      } catch (RuntimeException e) {
        return UpstreamErrors.toApi(Upstreams.INGEST, e.getCause() == null ? e : e.getCause());
      }
    }

    private ApiException stalled() {
      return new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "upstream_unavailable",
          null,
          Upstreams.INGEST
              + " is unavailable: it took no record for "
              + stallTimeout.toSeconds()
              + " s (tuneloop.gateway.upstreams.call-timeout)");
    }

    private void wake() {
      synchronized (readiness) {
        readiness.notifyAll();
      }
    }

    @Override
    public void onNext(SubmitSummary value) {
      summary.complete(value);
    }

    @Override
    public void onError(Throwable t) {
      summary.completeExceptionally(t);
      wake();
    }

    @Override
    public void onCompleted() {
      summary.completeExceptionally(new IllegalStateException("ingest-service sent no summary"));
      wake();
    }
  }
}
