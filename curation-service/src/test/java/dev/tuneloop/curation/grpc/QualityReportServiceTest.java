package dev.tuneloop.curation.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.MessageLite;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.CurationServiceGrpc;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.QualityReport;
import dev.tuneloop.proto.v1.QualityReportRequest;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** GetQualityReport in the whole service: the caller's tenant decides whose report it is. */
@WithInfra
class QualityReportServiceTest {

  private static Example pair(String id, String prompt, String response) {
    return Example.newBuilder()
        .setId(id)
        .setTenant("acme")
        .setDataset("support")
        .setFormat("pair")
        .setPair(PromptResponse.newBuilder().setPrompt(prompt).setResponse(response))
        .build();
  }

  @Test
  void theReportIsTheCallersTenantsAndNamingAnotherIsDenied(Infra infra) throws Exception {
    Map<String, Object> props =
        Map.of(
            "curation.topics.raw", infra.topic("examples.raw"),
            "curation.topics.curated", infra.topic("examples.curated"),
            "curation.topics.rejected", infra.topic("examples.rejected"),
            "curation.topics.training-requests", infra.topic("training.requests"),
            "curation.topics.training-events", infra.topic("training.events"),
            "curation.transactional-id", "curation-" + infra.id(),
            "curation.group", infra.group("curation"));
    try (EmbeddedServer server = ServiceProbe.start(infra, props);
        KafkaProducer<String, MessageLite> producer =
            new KafkaProducer<>(
                infra.kafka().producerProperties(),
                new StringSerializer(),
                new ProtobufSerializer<>())) {
      String raw = infra.topic("examples.raw");
      String prompt = "Where is my parcel from last Tuesday?";
      String answer = "It is out for delivery today with the courier.";
      producer.send(new ProducerRecord<>(raw, "acme/support", pair("a", prompt, answer)));
      producer.send(new ProducerRecord<>(raw, "acme/support", pair("b", prompt, answer)));
      producer.flush();
      int port = server.getApplicationContext().getBean(GrpcEmbeddedServer.class).getPort();
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
      try {
        var acme = TestCredentials.asTenant(CurationServiceGrpc.newBlockingStub(channel), "acme");
        QualityReportRequest support =
            QualityReportRequest.newBuilder().setDataset("support").build();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> acme.getQualityReport(support).getRejected() == 1);
        QualityReport report = acme.getQualityReport(support);
        assertThat(report.getTenant()).isEqualTo("acme");
        assertThat(report.getCurated()).isEqualTo(1);
        assertThat(report.getRejectedShare()).isEqualTo(0.5);
        assertThat(report.getReasons(0).getReason()).isEqualTo(RejectReason.EXACT_DUPLICATE);
        assertThat(report.getClusters(0).getCuratedExampleId()).isEqualTo("a");

        var globex =
            TestCredentials.withKey(
                CurationServiceGrpc.newBlockingStub(channel), TestCredentials.GLOBEX_KEY);
        assertThat(globex.getQualityReport(support).getRejected()).isZero();
        assertThatThrownBy(
                () -> globex.getQualityReport(support.toBuilder().setTenant("acme").build()))
            .hasMessageContaining("PERMISSION_DENIED");
        assertThatThrownBy(() -> acme.getQualityReport(QualityReportRequest.getDefaultInstance()))
            .hasMessageContaining("INVALID_ARGUMENT")
            .hasMessageContaining("dataset is required");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
