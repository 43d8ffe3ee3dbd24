package dev.tuneloop.ingest.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.Speaker;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitTranscriptRequest;
import dev.tuneloop.proto.v1.Transcript;
import dev.tuneloop.proto.v1.TranscriptPolicy;
import dev.tuneloop.proto.v1.TranscriptTurn;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The running service (real Kafka) refuses oversized input by its limits and stays serving. */
@WithInfra
class IngestServiceLimitsTest {

  @Test
  void a25000TurnTranscriptIsInvalidArgumentAndTheNextSubmissionIsServed(Infra infra)
      throws Exception {
    Map<String, Object> props =
        Map.of(
            "ingest.raw-topic", infra.topic("examples.raw"),
            "ingest.incoming-topic", "",
            "ingest.incoming-group", infra.group("incoming"));
    Transcript.Builder transcript = Transcript.newBuilder().setId("T-25k");
    for (int i = 0; i < 25_000; i++) {
      transcript.addTurns(
          TranscriptTurn.newBuilder()
              .setSpeaker(i % 2 == 0 ? Speaker.SPEAKER_CUSTOMER : Speaker.SPEAKER_AGENT)
              .setText("x"));
    }
    SubmitTranscriptRequest huge =
        SubmitTranscriptRequest.newBuilder()
            .setTenant("acme")
            .setDataset("support")
            .setPolicy(TranscriptPolicy.EACH_AGENT_REPLY)
            .setTranscript(transcript)
            .build();
    try (EmbeddedServer server = ServiceProbe.start(infra, props)) {
      int port = server.getApplicationContext().getBean(GrpcEmbeddedServer.class).getPort();
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
      try {
        // The deadline is a safety net: the old service spent minutes here, then ran out of memory.
        var stub =
            TestCredentials.asTenant(IngestServiceGrpc.newBlockingStub(channel), "acme")
                .withDeadlineAfter(60, TimeUnit.SECONDS);
        assertThatThrownBy(() -> stub.submitTranscript(huge))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                  assertThat(e.getStatus().getDescription()).contains("(ingest.max-turns)");
                });
        var after =
            TestCredentials.asTenant(IngestServiceGrpc.newBlockingStub(channel), "acme")
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .submit(
                    SubmitRequest.newBuilder()
                        .setTenant("acme")
                        .setDataset("support")
                        .setPair(PromptResponse.newBuilder().setPrompt("Hi").setResponse("Hello"))
                        .build());
        assertThat(after.getExampleIdsList()).hasSize(1);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
