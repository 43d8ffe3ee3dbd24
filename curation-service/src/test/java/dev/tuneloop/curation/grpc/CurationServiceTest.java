package dev.tuneloop.curation.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.CurationServiceGrpc;
import dev.tuneloop.proto.v1.DatasetStats;
import dev.tuneloop.proto.v1.DatasetStatsRequest;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The whole service: configuration with a per-dataset override, the worker on real Kafka, stats
 * over gRPC.
 */
@WithInfra
class CurationServiceTest {

  private static Example pair(String id, String dataset, String prompt, String response) {
    return Example.newBuilder()
        .setId(id)
        .setTenant("acme")
        .setDataset(dataset)
        .setFormat("pair")
        .setPair(PromptResponse.newBuilder().setPrompt(prompt).setResponse(response))
        .build();
  }

  @Test
  void decisionsShowUpInDatasetStatsAndPerDatasetPolicyApplies(Infra infra) throws Exception {
    Map<String, Object> props =
        Map.of(
            "curation.topics.raw", infra.topic("examples.raw"),
            "curation.topics.curated", infra.topic("examples.curated"),
            "curation.topics.rejected", infra.topic("examples.rejected"),
            "curation.topics.training-requests", infra.topic("training.requests"),
            "curation.topics.training-events", infra.topic("training.events"),
            "curation.transactional-id", "curation-" + infra.id(),
            "curation.group", infra.group("curation"),
            "curation.datasets.acme/strict.pii", "reject");
    try (EmbeddedServer server = ServiceProbe.start(infra, props);
        KafkaProducer<String, MessageLite> producer =
            new KafkaProducer<>(
                infra.kafka().producerProperties(),
                new StringSerializer(),
                new ProtobufSerializer<>())) {
      String raw = infra.topic("examples.raw");
      String contact = "You can reach me at jane@example.org about the refund.";
      producer.send(
          new ProducerRecord<>(
              raw,
              "acme/support",
              pair("a", "support", contact, "Thanks, we will email you today.")));
      producer.send(
          new ProducerRecord<>(
              raw,
              "acme/support",
              pair(
                  "b",
                  "support",
                  "Write a haiku.",
                  "As an AI language model, I cannot write poems.")));
      producer.send(
          new ProducerRecord<>(
              raw,
              "acme/strict",
              pair("c", "strict", contact, "Thanks, we will email you today.")));
      producer.flush();
      int port = server.getApplicationContext().getBean(GrpcEmbeddedServer.class).getPort();
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
      try {
        var stub = TestCredentials.asTenant(CurationServiceGrpc.newBlockingStub(channel), "acme");
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    stub.getDatasetStats(
                                    DatasetStatsRequest.newBuilder()
                                        .setTenant("acme")
                                        .setDataset("strict")
                                        .build())
                                .getRejected()
                            == 1
                        && stub.getDatasetStats(
                                    DatasetStatsRequest.newBuilder()
                                        .setTenant("acme")
                                        .setDataset("support")
                                        .build())
                                .getRejected()
                            == 1);
        DatasetStats support =
            stub.getDatasetStats(
                DatasetStatsRequest.newBuilder().setTenant("acme").setDataset("support").build());
        assertThat(support.getCurated()).isEqualTo(1);
        assertThat(support.getRejectedByReasonMap()).containsExactly(Map.entry("REFUSAL", 1L));
        assertThat(support.getCuratedSinceLastTraining()).isEqualTo(1);
        DatasetStats strict =
            stub.getDatasetStats(
                DatasetStatsRequest.newBuilder().setTenant("acme").setDataset("strict").build());
        assertThat(strict.getCurated()).isZero();
        assertThat(strict.getRejectedByReasonMap()).containsExactly(Map.entry("PII", 1L));

        // Another tenant's key sees its own (empty) dataset of that name, and cannot name acme.
        var globex =
            TestCredentials.withKey(
                CurationServiceGrpc.newBlockingStub(channel), TestCredentials.GLOBEX_KEY);
        assertThat(
                globex
                    .getDatasetStats(DatasetStatsRequest.newBuilder().setDataset("support").build())
                    .getCurated())
            .isZero();
        assertThatThrownBy(
                () ->
                    globex.getDatasetStats(
                        DatasetStatsRequest.newBuilder()
                            .setTenant("acme")
                            .setDataset("support")
                            .build()))
            .isInstanceOf(StatusRuntimeException.class)
            .hasMessageContaining("PERMISSION_DENIED");
        assertThatThrownBy(
                () ->
                    CurationServiceGrpc.newBlockingStub(channel)
                        .getDatasetStats(
                            DatasetStatsRequest.newBuilder().setDataset("support").build()))
            .hasMessageContaining("UNAUTHENTICATED");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
