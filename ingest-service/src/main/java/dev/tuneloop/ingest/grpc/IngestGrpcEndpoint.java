package dev.tuneloop.ingest.grpc;

import dev.tuneloop.ingest.BackpressureException;
import dev.tuneloop.ingest.IngestService;
import dev.tuneloop.ingest.InvalidRecordException;
import dev.tuneloop.ingest.StreamTally;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.Source;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitResponse;
import dev.tuneloop.proto.v1.SubmitSummary;
import dev.tuneloop.proto.v1.SubmitTranscriptRequest;
import dev.tuneloop.servicekit.auth.Caller;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * gRPC IngestService: converts, hands off to {@link IngestService}, maps errors to status codes.
 * Every record is written for the caller's tenant ({@link Caller}), whatever its tenant field says:
 * a field naming another tenant is refused.
 */
public class IngestGrpcEndpoint extends IngestServiceGrpc.IngestServiceImplBase {

  private final IngestService ingest;
  private final int streamWindow;

  /**
   * @param streamWindow records of one SubmitStream call in flight to Kafka before gRPC flow
   *     control stops the client
   */
  public IngestGrpcEndpoint(IngestService ingest, int streamWindow) {
    this.ingest = ingest;
    this.streamWindow = streamWindow;
  }

  @Override
  public void submit(SubmitRequest request, StreamObserver<SubmitResponse> response) {
    reply(
        () ->
            ingest.submit(
                request.toBuilder().setTenant(Caller.tenantFor(request.getTenant())).build(),
                Source.SOURCE_GRPC),
        response);
  }

  @Override
  public void submitTranscript(
      SubmitTranscriptRequest request, StreamObserver<SubmitResponse> response) {
    reply(
        () ->
            ingest.submitTranscript(
                request.toBuilder().setTenant(Caller.tenantFor(request.getTenant())).build()),
        response);
  }

  /**
   * Client streaming with manual flow control: at most {@code streamWindow} records are asked for
   * ahead of Kafka's acknowledgements, so a fast client is slowed by HTTP/2 flow control instead of
   * filling memory.
   */
  @Override
  public StreamObserver<SubmitRequest> submitStream(StreamObserver<SubmitSummary> response) {
    ServerCallStreamObserver<SubmitSummary> call =
        (ServerCallStreamObserver<SubmitSummary>) response;
    Caller caller = Caller.current(); // the interceptor put it there; fails closed without one
    call.disableAutoRequest();
    call.request(streamWindow);
    StreamTally tally = new StreamTally();
    AtomicInteger pending =
        new AtomicInteger(1); // 1 = the client's half of the stream is still open
    return new StreamObserver<>() {
      @Override
      public void onNext(SubmitRequest request) {
        long index = tally.nextIndex();
        pending.incrementAndGet();
        CompletableFuture<IngestService.Written> written;
        try {
          SubmitRequest scoped =
              request.toBuilder().setTenant(caller.scope(request.getTenant())).build();
          written = ingest.write(ingest.intake().toExample(scoped, Source.SOURCE_GRPC_STREAM));
        } catch (InvalidRecordException | BackpressureException e) {
          written = CompletableFuture.failedFuture(e);
        } catch (StatusRuntimeException e) { // a record naming another tenant fails alone
          written = CompletableFuture.failedFuture(e);
        }
        written.whenComplete(
            (w, error) -> {
              if (error == null) {
                tally.written(w);
              } else {
                tally.failed(index, cause(error).getMessage());
              }
              call.request(1);
              finishIfDone();
            });
      }

      @Override
      public void onError(Throwable t) {
        // The client gave up; records already acknowledged stay written, nothing more to say.
      }

      @Override
      public void onCompleted() {
        finishIfDone();
      }

      private void finishIfDone() {
        if (pending.decrementAndGet() == 0) {
          synchronized (call) {
            call.onNext(tally.summary());
            call.onCompleted();
          }
        }
      }
    };
  }

  private interface Call {
    CompletableFuture<SubmitResponse> start();
  }

  private static void reply(Call call, StreamObserver<SubmitResponse> response) {
    CompletableFuture<SubmitResponse> result;
    try {
      result = call.start();
    } catch (StatusRuntimeException e) { // e.g. PERMISSION_DENIED for another tenant
      response.onError(e);
      return;
    } catch (RuntimeException e) {
      response.onError(status(e));
      return;
    }
    result.whenComplete(
        (r, error) -> {
          if (error == null) {
            response.onNext(r);
            response.onCompleted();
          } else {
            response.onError(status(cause(error)));
          }
        });
  }

  static StatusRuntimeException status(Throwable e) {
    Status status =
        switch (e) {
          case InvalidRecordException x -> Status.INVALID_ARGUMENT;
          case BackpressureException x -> Status.RESOURCE_EXHAUSTED;
          default -> Status.UNAVAILABLE;
        };
    String message =
        e instanceof InvalidRecordException || e instanceof BackpressureException
            ? e.getMessage()
            : Topics.EXAMPLES_RAW + " did not acknowledge the record: " + e;
    return status.withDescription(message).asRuntimeException();
  }

  private static Throwable cause(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
