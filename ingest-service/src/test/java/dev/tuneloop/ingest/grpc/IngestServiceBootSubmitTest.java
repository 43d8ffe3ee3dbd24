package dev.tuneloop.ingest.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitResponse;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The assembled service: configuration bound, endpoint served, and a restart still recognises a
 * retry.
 */
@WithInfra
class IngestServiceBootSubmitTest {

  @Test
  void submitThroughTheRunningServiceAndRetryAfterARestart(Infra infra) throws Exception {
    Map<String, Object> props =
        Map.of(
            "ingest.raw-topic",
            infra.topic("examples.raw"),
            "ingest.incoming-topic",
            infra.topic("examples.incoming"),
            "ingest.incoming-group",
            infra.group("incoming"));
    SubmitRequest request =
        SubmitRequest.newBuilder()
            .setTenant("acme")
            .setDataset("support")
            .setJson(
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}")
            .build();
    SubmitResponse first;
    try (EmbeddedServer server = ServiceProbe.start(infra, props)) {
      first = submit(server, request);
      assertThat(first.getDuplicate()).isFalse();
    }
    try (EmbeddedServer restarted = ServiceProbe.start(infra, props)) {
      SubmitResponse retry = submit(restarted, request);
      assertThat(retry.getDuplicate()).isTrue();
      assertThat(retry.getExampleIdsList()).isEqualTo(first.getExampleIdsList());
    }
  }

  private static SubmitResponse submit(EmbeddedServer server, SubmitRequest request)
      throws InterruptedException {
    int port = server.getApplicationContext().getBean(GrpcEmbeddedServer.class).getPort();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    try {
      return TestCredentials.asTenant(IngestServiceGrpc.newBlockingStub(channel), "acme")
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .submit(request);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
