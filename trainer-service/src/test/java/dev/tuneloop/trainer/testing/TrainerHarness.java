package dev.tuneloop.trainer.testing;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.dataset.DatasetSnapshots;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.dataset.SnapshotRecord;
import dev.tuneloop.platform.dataset.SnapshotWriter;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.proto.v1.TrainerServiceGrpc;
import dev.tuneloop.servicekit.testing.ServiceProbe;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micronaut.grpc.server.GrpcEmbeddedServer;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A trainer-service on the shared test infrastructure with topics of its own, and the tools its
 * tests need.
 */
public final class TrainerHarness {

  private TrainerHarness() {}

  /** Topic and group names unique to {@code suffix} within the test's Infra. */
  public static Map<String, Object> properties(Infra infra, String suffix, Path workDir) {
    Map<String, Object> props = new HashMap<>();
    props.put("trainer.requests-topic", infra.topic("training.requests-" + suffix));
    props.put("trainer.events-topic", infra.topic("training.events-" + suffix));
    props.put("trainer.published-topic", infra.topic("adapters.published-" + suffix));
    props.put("trainer.registry.aliases-topic", infra.topic("adapters.aliases-" + suffix));
    props.put("trainer.group", infra.group("trainers-" + suffix));
    props.put("trainer.work-dir", workDir.toString());
    props.put("trainer.progress-interval", "100ms");
    return props;
  }

  public static EmbeddedServer start(Infra infra, Map<String, Object> props) {
    return ServiceProbe.start(infra, props);
  }

  public static ManagedChannel channel(EmbeddedServer server) {
    int port = server.getApplicationContext().getBean(GrpcEmbeddedServer.class).getPort();
    return ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
  }

  /** A stub acting for tenant {@code acme}, as the gateway does for its callers. */
  public static TrainerServiceGrpc.TrainerServiceBlockingStub stub(ManagedChannel channel) {
    return stub(channel, "acme");
  }

  public static TrainerServiceGrpc.TrainerServiceBlockingStub stub(
      ManagedChannel channel, String tenant) {
    return TestCredentials.asTenant(
        TrainerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES), tenant);
  }

  /** Writes the sample pairs as a dataset snapshot and returns its manifest key. */
  public static String writeSnapshot(
      ObjectStore store, String tenant, String dataset, List<SampleData.Pair> pairs) {
    try (var writer = new SnapshotWriter(store, tenant, dataset, 100)) {
      int i = 0;
      for (SampleData.Pair pair : pairs) {
        writer.add(
            new SnapshotRecord(
                "ex-" + i++,
                List.of(
                    new SnapshotRecord.Message("user", pair.prompt()),
                    new SnapshotRecord.Message("assistant", pair.response())),
                Map.of(),
                0,
                "h" + i));
      }
      SnapshotManifest manifest =
          writer.finish(new SnapshotManifest.Source("examples.curated", Map.of()), 1);
      return DatasetSnapshots.manifestKey(tenant, dataset, manifest.snapshotId());
    }
  }

  /** Every record of a topic so far (all partitions from the beginning), values decoded. */
  public static <T extends Message> List<T> readAll(
      KafkaSettings kafka, String topic, Parser<T> parser) {
    Map<String, Object> props = kafka.consumerProperties("unused");
    props.remove("group.id");
    try (var consumer =
        new KafkaConsumer<String, Decoded<T>>(
            props, new StringDeserializer(), new ProtobufDeserializer<>(parser))) {
      var partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      var end = consumer.endOffsets(partitions);
      var out = new ArrayList<T>();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          out.add(record.value().value());
        }
      }
      return out;
    }
  }

  /** Downloads every object under {@code prefix} into a fresh folder. */
  public static Path download(ObjectStore store, String prefix) throws Exception {
    Path dir = Files.createTempDirectory("adapter-");
    for (var object : store.list(prefix)) {
      store.download(object.key(), dir.resolve(object.key().substring(prefix.length())));
    }
    return dir;
  }
}
