package dev.tuneloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.Source;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The service's retry and backpressure logic, with a publisher whose acknowledgements the test
 * releases by hand.
 */
class IngestServiceTest {

  /** Holds every publish until the test acknowledges it, like a broker that is slow to answer. */
  private static final class HeldPublisher implements RawPublisher {
    final List<Example> published = new ArrayList<>();
    final List<CompletableFuture<Void>> acks = new ArrayList<>();

    @Override
    public synchronized CompletableFuture<Void> publish(Example example) {
      published.add(example);
      CompletableFuture<Void> ack = new CompletableFuture<>();
      acks.add(ack);
      return ack;
    }

    synchronized void ackAll() {
      acks.forEach(a -> a.complete(null));
    }
  }

  private final HeldPublisher publisher = new HeldPublisher();
  private final IngestService service =
      new IngestService(
          new Intake(IngestLimits.DEFAULTS, Clock.systemUTC()),
          publisher,
          new RecentIds(1000),
          new InFlightLimiter(2, Duration.ofMillis(50)));

  private static SubmitRequest pair(String prompt) {
    return SubmitRequest.newBuilder()
        .setTenant("acme")
        .setDataset("support")
        .setPair(PromptResponse.newBuilder().setPrompt(prompt).setResponse("Some answer."))
        .build();
  }

  @Test
  void answersOnlyAfterThePublisherAcknowledged() {
    CompletableFuture<SubmitResponse> response = service.submit(pair("q1"), Source.SOURCE_GRPC);
    assertThat(response).isNotDone();
    publisher.ackAll();
    assertThat(response.join().getDuplicate()).isFalse();
    assertThat(response.join().getExampleIdsList())
        .containsExactly(publisher.published.getFirst().getId());
  }

  @Test
  void concurrentRetryIsWrittenOnceAndReportedAsDuplicate() {
    CompletableFuture<SubmitResponse> first = service.submit(pair("q1"), Source.SOURCE_GRPC);
    CompletableFuture<SubmitResponse> retry = service.submit(pair("q1"), Source.SOURCE_GRPC);
    publisher.ackAll();
    assertThat(first.join().getDuplicate()).isFalse();
    assertThat(retry.join().getDuplicate()).isTrue();
    assertThat(service.submit(pair("q1"), Source.SOURCE_GRPC).join().getDuplicate()).isTrue();
    assertThat(publisher.published).hasSize(1);
  }

  @Test
  void failedPublishIsNotRememberedSoARetryWritesAgain() {
    CompletableFuture<SubmitResponse> first = service.submit(pair("q1"), Source.SOURCE_GRPC);
    publisher.acks.getFirst().completeExceptionally(new IllegalStateException("broker down"));
    assertThat(first).isCompletedExceptionally();
    CompletableFuture<SubmitResponse> retry = service.submit(pair("q1"), Source.SOURCE_GRPC);
    publisher.ackAll();
    assertThat(retry.join().getDuplicate()).isFalse();
    assertThat(publisher.published).hasSize(2);
  }

  @Test
  void fullInFlightWindowPushesBack() {
    service.submit(pair("q1"), Source.SOURCE_GRPC);
    service.submit(pair("q2"), Source.SOURCE_GRPC);
    assertThatThrownBy(() -> service.submit(pair("q3"), Source.SOURCE_GRPC))
        .isInstanceOf(BackpressureException.class)
        .hasMessageContaining("2 records in flight");
    publisher.ackAll();
    CompletableFuture<SubmitResponse> later = service.submit(pair("q3"), Source.SOURCE_GRPC);
    publisher.ackAll();
    assertThat(later.join().getDuplicate()).isFalse();
  }
}
