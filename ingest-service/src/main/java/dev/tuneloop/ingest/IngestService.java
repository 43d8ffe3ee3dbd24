package dev.tuneloop.ingest;

import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.Source;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitResponse;
import dev.tuneloop.proto.v1.SubmitTranscriptRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Accepts submissions: validates them into examples ({@link Intake}), writes each to examples.raw
 * once ({@link RawPublisher}), and answers only after Kafka acknowledged. A submission whose id was
 * already written (or is being written right now by a concurrent retry) is not written again and is
 * reported as a duplicate.
 */
public final class IngestService {

  /** Outcome of one example: whether it was a retry of something already written. */
  public record Written(String id, boolean duplicate) {}

  private final Intake intake;
  private final RawPublisher publisher;
  private final RecentIds recent;
  private final InFlightLimiter limiter;
  private final ConcurrentMap<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();

  public IngestService(
      Intake intake, RawPublisher publisher, RecentIds recent, InFlightLimiter limiter) {
    this.intake = intake;
    this.publisher = publisher;
    this.recent = recent;
    this.limiter = limiter;
  }

  public Intake intake() {
    return intake;
  }

  /**
   * Throws {@link InvalidRecordException} at once for bad input; the future fails if Kafka does not
   * take it.
   */
  public CompletableFuture<SubmitResponse> submit(SubmitRequest request, Source source) {
    return respond(List.of(intake.toExample(request, source)));
  }

  public CompletableFuture<SubmitResponse> submitTranscript(SubmitTranscriptRequest request) {
    return respond(intake.toExamples(request));
  }

  private CompletableFuture<SubmitResponse> respond(List<Example> examples) {
    List<CompletableFuture<Written>> writes = examples.stream().map(this::write).toList();
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              SubmitResponse.Builder response = SubmitResponse.newBuilder().setDuplicate(true);
              for (CompletableFuture<Written> w : writes) {
                Written written = w.join();
                response.addExampleIds(written.id());
                response.setDuplicate(response.getDuplicate() && written.duplicate());
              }
              return response.build();
            });
  }

  /** Writes one example unless its id is already on examples.raw or on its way there. */
  public CompletableFuture<Written> write(Example example) {
    String key = RecentIds.key(example.getTenant(), example.getDataset(), example.getId());
    if (recent.contains(key)) {
      return CompletableFuture.completedFuture(new Written(example.getId(), true));
    }
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> earlier = inFlight.putIfAbsent(key, mine);
    if (earlier != null) {
      return earlier.thenApply(v -> new Written(example.getId(), true));
    }
    if (recent.contains(key)) { // written between the first check and claiming the key
      inFlight.remove(key, mine);
      mine.complete(null);
      return CompletableFuture.completedFuture(new Written(example.getId(), true));
    }
    try {
      limiter.acquire();
    } catch (RuntimeException e) {
      inFlight.remove(key, mine);
      mine.completeExceptionally(e);
      throw e;
    }
    publisher
        .publish(example)
        .whenComplete(
            (ok, error) -> {
              limiter.release();
              if (error == null) {
                recent.add(key);
              }
              inFlight.remove(key, mine);
              if (error == null) {
                mine.complete(null);
              } else {
                mine.completeExceptionally(error);
              }
            });
    return mine.thenApply(v -> new Written(example.getId(), false));
  }
}
