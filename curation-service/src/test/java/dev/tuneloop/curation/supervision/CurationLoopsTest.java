package dev.tuneloop.curation.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.MessageLite;
import dev.tuneloop.curation.pipeline.CurationWorker;
import dev.tuneloop.curation.retrain.RetrainPlanner;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The curation service's background loops under supervision: a loop that dies comes back and
 * /health names it meanwhile; a poison retrain request does not stop the state rebuild.
 */
@WithInfra
class CurationLoopsTest {

  private static Map<String, Object> props(Infra infra, String suffix) {
    Map<String, Object> props = new HashMap<>();
    props.put("curation.topics.raw", infra.topic("examples.raw-" + suffix));
    props.put("curation.topics.curated", infra.topic("examples.curated-" + suffix));
    props.put("curation.topics.rejected", infra.topic("examples.rejected-" + suffix));
    props.put("curation.topics.training-requests", infra.topic("training.requests-" + suffix));
    props.put("curation.topics.training-events", infra.topic("training.events-" + suffix));
    props.put("curation.transactional-id", "curation-" + suffix + "-" + infra.id());
    props.put("curation.group", infra.group("curation-" + suffix));
    props.put("tuneloop.supervision.initial-backoff", "3s");
    return props;
  }

  private static KafkaProducer<String, MessageLite> producer(Infra infra) {
    return new KafkaProducer<>(
        infra.kafka().producerProperties(), new StringSerializer(), new ProtobufSerializer<>());
  }

  @Test
  void theWorkerAndTheJobTrackerAreRestartedAfterAnErrorAndHealthNamesThemMeanwhile(Infra infra)
      throws Exception {
    try (EmbeddedServer server = ServiceProbe.start(infra, props(infra, "loops"))) {
      var worker =
          ServiceProbe.failLoopAndAwaitRestart(
              server, "curation-worker", new OutOfMemoryError("injected"));
      assertThat(worker.get(0)).contains("OutOfMemoryError: injected");
      ServiceProbe.failLoopAndAwaitRestart(
          server, "curation-job-tracker", new IllegalStateException("injected"));
    }
  }

  @Test
  void aRetrainRequestWhoseSnapshotIsGoneDoesNotStopTheStateRebuild(Infra infra) throws Exception {
    var props = props(infra, "poison");
    try (var producer = producer(infra)) {
      producer
          .send(
              new ProducerRecord<>(
                  (String) props.get("curation.topics.training-requests"),
                  "acme/support",
                  TrainingJobSpec.newBuilder()
                      .setJobId("retrain-acme-support-gone")
                      .setTenant("acme")
                      .setAdapterName("support")
                      .setDatasetSnapshot("datasets/acme/support/snapshots/gone/manifest.json")
                      .setRequestedBy(RetrainPlanner.REQUESTED_BY)
                      .build()))
          .get();
      try (EmbeddedServer server = ServiceProbe.start(infra, props)) {
        producer
            .send(
                new ProducerRecord<>(
                    (String) props.get("curation.topics.raw"),
                    "acme/support",
                    Example.newBuilder()
                        .setId("after-poison")
                        .setTenant("acme")
                        .setDataset("support")
                        .setFormat("pair")
                        .setPair(
                            PromptResponse.newBuilder()
                                .setPrompt("Where is my parcel?")
                                .setResponse("It left our warehouse this morning."))
                        .build()))
            .get();
        var worker = server.getApplicationContext().getBean(CurationWorker.class);
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> worker.stats().curatedCount("acme/support") == 1);
        assertThat(worker.loop().status().restarts()).isZero();
      }
    }
  }
}
