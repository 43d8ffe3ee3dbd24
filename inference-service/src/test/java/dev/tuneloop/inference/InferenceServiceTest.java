package dev.tuneloop.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.ChatResponse;
import dev.tuneloop.proto.v1.InferenceServiceGrpc;
import dev.tuneloop.proto.v1.ListAdaptersRequest;
import dev.tuneloop.proto.v1.SamplingParams;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Micronaut service as deployed: its configuration, the topic consumer, the object store and
 * the metrics.
 */
@WithInfra
class InferenceServiceTest {

  @Test
  void servesAPublishedAdapterAndExposesMetrics(Infra infra, @TempDir Path dir) throws Exception {
    String topic = infra.topic(Topics.ADAPTERS_PUBLISHED);
    String aliasesTopic = infra.topic(Topics.ADAPTERS_ALIASES);
    try (EmbeddedServer server =
            ServiceProbe.start(
                infra,
                Map.of(
                    "tuneloop.inference.adapters-topic",
                    topic,
                    "tuneloop.inference.aliases-topic",
                    aliasesTopic,
                    "endpoints.metrics.enabled",
                    true));
        TestAliases aliases = new TestAliases(infra.kafka(), aliasesTopic)) {
      int port = server.getApplicationContext().getBean(GrpcEmbeddedServer.class).getPort();
      ManagedChannel channel =
          Grpc.newChannelBuilder("localhost:" + port, InsecureChannelCredentials.create()).build();
      try {
        var inference =
            TestCredentials.asTenant(InferenceServiceGrpc.newBlockingStub(channel), "acme");
        aliases.promote(
            publishAdapter(
                infra, topic, server.getApplicationContext().getBean(LoadedModel.class), dir));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    inference
                        .listAdapters(ListAdaptersRequest.newBuilder().setTenant("acme").build())
                        .getAdaptersList()
                        .stream()
                        .anyMatch(a -> a.getLoaded()));

        ChatResponse answer =
            inference.chat(
                InferenceChatTest.request(
                    "helper",
                    "Once upon a time",
                    SamplingParams.newBuilder().setMaxTokens(12).build()));
        assertThat(answer.getAdapterVersion()).isEqualTo("v1");
        assertThat(answer.getAdapterAlias()).isEqualTo("production");
        assertThat(answer.getUsage().getCompletionTokens()).isPositive();
      } finally {
        channel.shutdownNow();
      }

      JsonNode tokens = metric(server, "tuneloop.inference.tokens.generated");
      assertThat(tokens.at("/measurements/0/value").asDouble()).isPositive();
      assertThat(metric(server, "tuneloop.inference.time.to.first.token").get("name").asText())
          .isEqualTo("tuneloop.inference.time.to.first.token");
      assertThat(
              metric(server, "tuneloop.inference.queue.depth")
                  .at("/measurements/0/value")
                  .asDouble())
          .isZero();
    }
  }

  private static AdapterPublished publishAdapter(
      Infra infra, String topic, LoadedModel model, Path dir) throws Exception {
    TestAdapters.writeRandomPeftAdapter(model, dir, 0.5f, 3);
    ObjectStore store = infra.objectStore();
    String prefix = "adapters/acme/helper/v1/";
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        store.putFile(prefix + file.getFileName(), file, "application/octet-stream");
      }
    }
    try (var producer =
        new KafkaProducer<String, AdapterPublished>(
            infra.kafka().producerProperties(),
            new StringSerializer(),
            new ProtobufSerializer<>())) {
      AdapterPublished published =
          AdapterPublished.newBuilder()
              .setTenant("acme")
              .setName("helper")
              .setVersion("v1")
              .setLocation(prefix)
              .setBaseModelId(BuiltinModels.STORIES260K)
              .setBaseModelSha256(model.id().sha256())
              .build();
      producer
          .send(new ProducerRecord<>(topic, Topics.versionKey("acme", "helper", "v1"), published))
          .get();
      return published;
    }
  }

  private static JsonNode metric(EmbeddedServer server, String name) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(server.getURL() + "/metrics/" + name))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(name + ": " + response.body()).isEqualTo(200);
      return new ObjectMapper().readTree(response.body());
    }
  }
}
