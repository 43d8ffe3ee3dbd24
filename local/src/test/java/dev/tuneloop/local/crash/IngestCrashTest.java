package dev.tuneloop.local.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingest-service dies after Kafka acknowledged an example but before it answered the client (the
 * failpoint {@code tuneloop.ingest.failpoint.halt-after-ack}); the client, left without an answer,
 * retries with the same idempotency key on the restarted service: the example is on examples.raw
 * once.
 */
class IngestCrashTest {
  private static final Duration CALL = Duration.ofSeconds(30);

  @Test
  void aRetryAfterACrashBetweenAckAndAnswerIsCountedOnce(@TempDir Path dir) throws Exception {
    SubmitRequest request =
        SubmitRequest.newBuilder()
            .setTenant("acme")
            .setDataset("support")
            .setIdempotencyKey("order-4711")
            .setPair(
                PromptResponse.newBuilder()
                    .setPrompt("Where is my parcel?")
                    .setResponse("It left the depot this morning and arrives tomorrow."))
            .build();
    try (CrashCluster cluster = CrashCluster.embedded(dir.toAbsolutePath());
        Clients clients = new Clients()) {
      cluster.start("ingest", Map.of("tuneloop.ingest.failpoint.halt-after-ack", "true"));
      String ingest = cluster.grpcTarget("ingest");

      assertThatThrownBy(() -> clients.ingest(ingest, CALL).submit(request))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      assertThat(cluster.process("ingest").awaitExit(Duration.ofSeconds(30)))
          .as("halted by the failpoint")
          .isEqualTo(137);
      assertThat(raw(cluster)).as("Kafka had it before the crash").hasSize(1);

      cluster.start("ingest", Map.of()); // the same service, failpoint off
      SubmitResponse retry = clients.ingest(ingest, CALL).submit(request);
      assertThat(retry.getExampleIdsList()).containsExactly("order-4711");
      assertThat(retry.getDuplicate()).as("recognised as a retry").isTrue();

      List<Example> raw = raw(cluster);
      assertThat(raw).extracting(Example::getId).containsExactly("order-4711");
      assertThat(raw.getFirst().getPair().getPrompt()).isEqualTo("Where is my parcel?");
    }
  }

  private static List<Example> raw(CrashCluster cluster) {
    return TopicReader.readAll(cluster.kafka(), Topics.EXAMPLES_RAW, Example.parser());
  }
}
