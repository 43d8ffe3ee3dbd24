package dev.tuneloop.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Conversation;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.Role;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Protobuf examples through a real broker with the project's serdes and client settings. */
@WithInfra
class KafkaRoundTripTest {

  private static Example example(String id) {
    return Example.newBuilder()
        .setId(id)
        .setTenant("acme")
        .setDataset("support")
        .setConversation(
            Conversation.newBuilder()
                .addMessages(
                    ChatMessage.newBuilder()
                        .setRole(Role.ROLE_USER)
                        .setContent("Where is my order?"))
                .addMessages(
                    ChatMessage.newBuilder()
                        .setRole(Role.ROLE_ASSISTANT)
                        .setContent("It ships today.")))
        .putMetadata("ticket", "T-" + id)
        .build();
  }

  @Test
  void exampleProducedIsConsumedIntact(Infra infra) throws Exception {
    String topic = infra.topic(Topics.EXAMPLES_RAW);
    KafkaSettings kafka = infra.kafka();
    Example sent = example("1");

    try (var producer =
        new KafkaProducer<>(
            kafka.producerProperties(),
            new StringSerializer(),
            new ProtobufSerializer<Example>())) {
      producer.send(new ProducerRecord<>(topic, Topics.datasetKey("acme", "support"), sent)).get();
    }

    List<ConsumerRecord<String, Decoded<Example>>> received =
        consumeAll(kafka, infra.group("g"), topic, 1);
    assertThat(received.getFirst().key()).isEqualTo("acme/support");
    assertThat(received.getFirst().value().value()).isEqualTo(sent);
  }

  @Test
  void transactionalWritesAreSeenOnlyWhenCommitted(Infra infra) throws Exception {
    String topic = infra.topic(Topics.EXAMPLES_CURATED);
    KafkaSettings kafka = infra.kafka();

    try (var producer =
        new KafkaProducer<>(
            kafka.transactionalProducerProperties("tx-" + infra.id()),
            new StringSerializer(),
            new ProtobufSerializer<Example>())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "acme/support", example("aborted")));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "acme/support", example("committed-1")));
      producer.send(new ProducerRecord<>(topic, "acme/support", example("committed-2")));
      producer.commitTransaction();
    }

    List<String> ids =
        consumeAll(kafka, infra.group("g"), topic, 2).stream()
            .map(r -> r.value().value().getId())
            .toList();
    assertThat(ids).containsExactly("committed-1", "committed-2");
  }

  @Test
  void badBytesOnTheTopicDoNotStopTheConsumer(Infra infra) throws Exception {
    String topic = infra.topic(Topics.EXAMPLES_RAW);
    KafkaSettings kafka = infra.kafka();
    byte[] garbage = "{\"json\": \"not protobuf\"}".getBytes(StandardCharsets.UTF_8);

    try (var producer =
        new KafkaProducer<>(
            kafka.producerProperties(), new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, "acme/support", garbage)).get();
      producer
          .send(new ProducerRecord<>(topic, "acme/support", example("after").toByteArray()))
          .get();
    }

    List<ConsumerRecord<String, Decoded<Example>>> received =
        consumeAll(kafka, infra.group("g"), topic, 2);
    assertThat(received.get(0).value())
        .isInstanceOfSatisfying(
            Decoded.Malformed.class, bad -> assertThat(bad.bytes()).isEqualTo(garbage));
    assertThat(received.get(1).value().value().getId()).isEqualTo("after");
  }

  @Test
  void pipelineTopicsAreCreatedOnceWithCompactionWhereNeeded(Infra infra) throws Exception {
    var specs =
        Topics.all().stream()
            .map(s -> new Topics.Spec(infra.topic(s.name()), s.configs()))
            .toList();
    try (Admin admin = Admin.create(infra.kafka().adminProperties())) {
      assertThat(TopicAdmin.ensure(admin, specs, 2, (short) 1)).hasSize(Topics.all().size());
      assertThat(TopicAdmin.ensure(admin, specs, 2, (short) 1)).isEmpty();

      String events = infra.topic(Topics.TRAINING_EVENTS);
      TopicDescription description =
          admin.describeTopics(Set.of(events)).allTopicNames().get().get(events);
      assertThat(description.partitions()).hasSize(2);
      var resource = new ConfigResource(ConfigResource.Type.TOPIC, events);
      String policy =
          admin
              .describeConfigs(Set.of(resource))
              .all()
              .get()
              .get(resource)
              .get("cleanup.policy")
              .value();
      assertThat(policy).isEqualTo("compact");
    }
  }

  private static List<ConsumerRecord<String, Decoded<Example>>> consumeAll(
      KafkaSettings kafka, String group, String topic, int expected) {
    List<ConsumerRecord<String, Decoded<Example>>> received = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            kafka.consumerProperties(group),
            new StringDeserializer(),
            new ProtobufDeserializer<>(Example.parser()))) {
      consumer.subscribe(List.of(topic));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return received.size() >= expected;
              });
    }
    assertThat(received).hasSize(expected);
    return received;
  }
}
