package dev.tuneloop.gateway.api;

import dev.tuneloop.gateway.upstream.UpstreamErrors;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitSummary;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Sends many records over one client-streaming {@code SubmitStream} call and waits for its summary.
 */
final class ExampleStreamer {
  private final Upstreams upstreams;

  ExampleStreamer(Upstreams upstreams) {
    this.upstreams = upstreams;
  }

  SubmitSummary submitAll(String tenant, List<SubmitRequest> records) {
    CompletableFuture<SubmitSummary> summary = new CompletableFuture<>();
    StreamObserver<SubmitRequest> requests =
        upstreams
            .ingestAsync(tenant)
            .submitStream(
                new StreamObserver<>() {
                  @Override
                  public void onNext(SubmitSummary value) {
                    summary.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    summary.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    summary.completeExceptionally(
                        new IllegalStateException("ingest-service sent no summary"));
                  }
                });
    for (SubmitRequest record : records) {
      if (summary.isDone()) {
        break; // the call already failed; its error is reported below
      }
      requests.onNext(record);
    }
    requests.onCompleted();
    try {
      return summary.join();
    } catch (CompletionException e) {
      throw UpstreamErrors.toApi(Upstreams.INGEST, e.getCause());
    }
  }
}
