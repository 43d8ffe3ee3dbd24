package dev.tuneloop.ingest;

import dev.tuneloop.proto.v1.SubmitError;
import dev.tuneloop.proto.v1.SubmitSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * The running summary of one SubmitStream call; thread-safe (Kafka callbacks complete records
 * concurrently).
 */
public final class StreamTally {

  public static final int MAX_ERRORS = 100;

  private long received;
  private long accepted;
  private long duplicates;
  private long failed;
  private final List<SubmitError> errors = new ArrayList<>();

  /** Counts one more received record and returns its position in the stream, from 0. */
  public synchronized long nextIndex() {
    return received++;
  }

  public synchronized void written(IngestService.Written w) {
    if (w.duplicate()) {
      duplicates++;
    } else {
      accepted++;
    }
  }

  public synchronized void failed(long index, String message) {
    failed++;
    if (errors.size() < MAX_ERRORS) {
      errors.add(SubmitError.newBuilder().setIndex(index).setMessage(message).build());
    }
  }

  public synchronized SubmitSummary summary() {
    return SubmitSummary.newBuilder()
        .setReceived(received)
        .setAccepted(accepted)
        .setDuplicates(duplicates)
        .setFailed(failed)
        .addAllErrors(errors)
        .build();
  }
}
