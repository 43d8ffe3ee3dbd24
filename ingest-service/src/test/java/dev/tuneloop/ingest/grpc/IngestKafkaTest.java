package dev.tuneloop.ingest.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.MessageLite;
import dev.tuneloop.ingest.InFlightLimiter;
import dev.tuneloop.ingest.IngestLimits;
import dev.tuneloop.ingest.IngestService;
import dev.tuneloop.ingest.Intake;
import dev.tuneloop.ingest.RecentIds;
import dev.tuneloop.ingest.kafka.IncomingConsumer;
import dev.tuneloop.ingest.kafka.KafkaRawPublisher;
import dev.tuneloop.ingest.kafka.RecentIdsLoader;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.kafka.Decoded;
import dev.tuneloop.platform.kafka.ProtobufDeserializer;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.RejectReason;
import dev.tuneloop.proto.v1.RejectedExample;
import dev.tuneloop.proto.v1.Speaker;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitResponse;
import dev.tuneloop.proto.v1.SubmitSummary;
import dev.tuneloop.proto.v1.SubmitTranscriptRequest;
import dev.tuneloop.proto.v1.Transcript;
import dev.tuneloop.proto.v1.TranscriptPolicy;
import dev.tuneloop.proto.v1.TranscriptTurn;
import dev.tuneloop.servicekit.testing.TestCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gRPC API over a real server and the embedded Kafka broker: what it acknowledges is on
 * examples.raw, once.
 */
@WithInfra
class IngestKafkaTest {

  private Infra infra;
  private KafkaSettings kafka;
  private KafkaProducer<String, MessageLite> producer;
  private Server server;
  private ManagedChannel channel;
  private IngestServiceGrpc.IngestServiceBlockingStub blocking;

  @BeforeEach
  void start(Infra infra) throws Exception {
    this.infra = infra;
    this.kafka = infra.kafka();
    producer =
        new KafkaProducer<>(
            kafka.producerProperties(), new StringSerializer(), new ProtobufSerializer<>());
    server =
        ServerBuilder.forPort(0)
            .addService(new IngestGrpcEndpoint(service(new RecentIds(10_000)), 64))
            .intercept(TestCredentials.interceptor())
            .build()
            .start();
    channel =
        ManagedChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext().build();
    blocking =
        TestCredentials.asTenant(
            IngestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS),
            "acme");
  }

  private IngestService service(RecentIds ids) {
    return new IngestService(
        new Intake(IngestLimits.DEFAULTS, Clock.systemUTC()),
        new KafkaRawPublisher(producer, infra.topic("examples.raw")),
        ids,
        new InFlightLimiter(1000, Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    producer.close();
  }

  private static SubmitRequest pair(int i) {
    return SubmitRequest.newBuilder()
        .setTenant("acme")
        .setDataset("support")
        .setPair(
            PromptResponse.newBuilder()
                .setPrompt("Question number " + i + "?")
                .setResponse("Answer " + i + "."))
        .build();
  }

  private List<Example> readRaw(int atLeast) {
    List<Example> out = new ArrayList<>();
    var props = kafka.consumerProperties(infra.group("reader"));
    try (KafkaConsumer<String, Decoded<Example>> c =
        new KafkaConsumer<>(
            props, new StringDeserializer(), new ProtobufDeserializer<>(Example.parser()))) {
      c.subscribe(List.of(infra.topic("examples.raw")));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      // Read until the expected count, then one more poll to catch anything written twice.
      boolean extra = false;
      while (System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(500)).forEach(r -> out.add(r.value().value()));
        if (out.size() >= atLeast) {
          if (extra) {
            break;
          }
          extra = true;
        }
      }
    }
    return out;
  }

  @Test
  void submitIsOnTheRawTopicWhenAcknowledgedAndRetriesAreCountedOnce() {
    SubmitResponse first = blocking.submit(pair(1));
    SubmitResponse retry = blocking.submit(pair(1));
    SubmitResponse keyed =
        blocking.submit(pair(2).toBuilder().setIdempotencyKey("client-key-7").build());
    SubmitResponse keyedRetry =
        blocking.submit(pair(3).toBuilder().setIdempotencyKey("client-key-7").build());
    assertThat(first.getDuplicate()).isFalse();
    assertThat(retry.getDuplicate()).isTrue();
    assertThat(retry.getExampleIdsList()).isEqualTo(first.getExampleIdsList());
    assertThat(keyed.getExampleIdsList()).containsExactly("client-key-7");
    assertThat(keyedRetry.getDuplicate()).isTrue();
    List<Example> raw = readRaw(2);
    assertThat(raw)
        .extracting(Example::getId)
        .containsExactly(first.getExampleIds(0), "client-key-7");
    assertThat(raw.getFirst().getPair().getPrompt()).isEqualTo("Question number 1?");
  }

  @Test
  void recordsAreWrittenForTheTenantOfTheCredentialsOnly() {
    var acmeKey =
        TestCredentials.withKey(
            IngestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS),
            TestCredentials.ACME_KEY);
    SubmitResponse unnamed = acmeKey.submit(pair(7).toBuilder().clearTenant().build());
    assertThatThrownBy(() -> acmeKey.submit(pair(8).toBuilder().setTenant("globex").build()))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("PERMISSION_DENIED");
    assertThatThrownBy(
            () ->
                IngestServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(60, TimeUnit.SECONDS)
                    .submit(pair(9)))
        .hasMessageContaining("UNAUTHENTICATED");
    assertThatThrownBy(
            () ->
                TestCredentials.asTenant(IngestServiceGrpc.newBlockingStub(channel), "globex")
                    .submitTranscript(
                        SubmitTranscriptRequest.newBuilder()
                            .setTenant("acme")
                            .setDataset("support")
                            .build()))
        .hasMessageContaining("PERMISSION_DENIED");
    List<Example> raw = readRaw(1);
    assertThat(raw).extracting(Example::getId).containsExactly(unnamed.getExampleIds(0));
    assertThat(raw.getFirst().getTenant()).isEqualTo("acme");
  }

  @Test
  void invalidRecordIsRefusedWithTheReason() {
    assertThatThrownBy(
            () ->
                blocking.submit(
                    SubmitRequest.newBuilder()
                        .setTenant("acme")
                        .setDataset("support")
                        .setJson("{\"question\": \"q\"}")
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("cannot detect the format");
            });
  }

  @Test
  void streamSummaryCountsAcceptedDuplicatesAndFailuresWithPositions() throws Exception {
    CompletableFuture<SubmitSummary> summary = new CompletableFuture<>();
    StreamObserver<SubmitRequest> stream =
        TestCredentials.asTenant(IngestServiceGrpc.newStub(channel), "acme")
            .submitStream(
                new StreamObserver<>() {
                  @Override
                  public void onNext(SubmitSummary s) {
                    summary.complete(s);
                  }

                  @Override
                  public void onError(Throwable t) {
                    summary.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    for (int i = 0; i < 500; i++) {
      stream.onNext(pair(i));
    }
    stream.onNext(pair(7));
    stream.onNext(
        SubmitRequest.newBuilder()
            .setTenant("acme")
            .setDataset("support")
            .setJson("not json")
            .build());
    stream.onNext(pair(900).toBuilder().setTenant("globex").build()); // not the caller's tenant
    stream.onCompleted();
    SubmitSummary s = summary.get(60, TimeUnit.SECONDS);
    assertThat(s.getReceived()).isEqualTo(503);
    assertThat(s.getAccepted()).isEqualTo(500);
    assertThat(s.getDuplicates()).isEqualTo(1);
    assertThat(s.getFailed()).isEqualTo(2);
    assertThat(s.getErrors(0).getIndex()).isEqualTo(501);
    assertThat(s.getErrors(0).getMessage()).contains("not valid JSON");
    assertThat(s.getErrors(1).getIndex()).isEqualTo(502);
    assertThat(s.getErrors(1).getMessage()).contains("PERMISSION_DENIED");
    assertThat(readRaw(500)).hasSize(500);
  }

  @Test
  void transcriptBecomesOneExamplePerAgentReply() {
    Transcript t =
        Transcript.newBuilder()
            .setId("T-9")
            .addTurns(
                TranscriptTurn.newBuilder()
                    .setSpeaker(Speaker.SPEAKER_CUSTOMER)
                    .setText("My card was charged twice."))
            .addTurns(
                TranscriptTurn.newBuilder()
                    .setSpeaker(Speaker.SPEAKER_AGENT)
                    .setText("I see two charges; one is a hold."))
            .addTurns(
                TranscriptTurn.newBuilder()
                    .setSpeaker(Speaker.SPEAKER_CUSTOMER)
                    .setText("When does the hold go away?"))
            .addTurns(
                TranscriptTurn.newBuilder()
                    .setSpeaker(Speaker.SPEAKER_AGENT)
                    .setText("Within three business days."))
            .build();
    SubmitResponse r =
        blocking.submitTranscript(
            SubmitTranscriptRequest.newBuilder()
                .setTenant("acme")
                .setDataset("support")
                .setTranscript(t)
                .setPolicy(TranscriptPolicy.EACH_AGENT_REPLY)
                .build());
    assertThat(r.getExampleIdsCount()).isEqualTo(2);
    List<Example> raw = readRaw(2);
    assertThat(raw).extracting(e -> e.getConversation().getMessagesCount()).containsExactly(2, 4);
    assertThat(raw)
        .allSatisfy(e -> assertThat(e.getMetadataMap()).containsEntry("transcript_id", "T-9"));
  }

  @Test
  void restartedIngestRecognisesRetriesFromTheRawTopic() {
    SubmitResponse first = blocking.submit(pair(42));
    RecentIds rebuilt = new RecentIds(10_000);
    assertThat(RecentIdsLoader.load(kafka, infra.topic("examples.raw"), rebuilt, 1000))
        .isEqualTo(1);
    IngestService restarted = service(rebuilt);
    assertThat(
            restarted
                .submit(pair(42), dev.tuneloop.proto.v1.Source.SOURCE_GRPC)
                .join()
                .getDuplicate())
        .isTrue();
    assertThat(readRaw(1)).extracting(Example::getId).containsExactly(first.getExampleIds(0));
  }

  @Test
  void incomingTopicRecordsAreIngestedAndBadOnesDeadLettered() throws Exception {
    String incoming = infra.topic("examples.incoming");
    String rejected = infra.topic("examples.rejected");
    try (KafkaProducer<String, byte[]> events =
        new KafkaProducer<>(
            kafka.producerProperties(), new StringSerializer(), new ByteArraySerializer())) {
      events.send(
          new ProducerRecord<>(
              incoming,
              "acme/support",
              "{\"instruction\": \"Greet the customer.\", \"output\": \"Hello, how can I help?\"}"
                  .getBytes(StandardCharsets.UTF_8)));
      events
          .send(
              new ProducerRecord<>(
                  incoming, "acme/support", "{oops".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    IncomingConsumer consumer =
        new IncomingConsumer(
            kafka,
            infra.group("incoming"),
            incoming,
            rejected,
            service(new RecentIds(100)),
            producer);
    consumer.start();
    try {
      List<Example> raw = readRaw(1);
      assertThat(raw).hasSize(1);
      assertThat(raw.getFirst().getFormat()).isEqualTo("alpaca");
      var props = kafka.consumerProperties(infra.group("rejected-reader"));
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      try (KafkaConsumer<String, Decoded<RejectedExample>> c =
          new KafkaConsumer<>(
              props,
              new StringDeserializer(),
              new ProtobufDeserializer<>(RejectedExample.parser()))) {
        c.subscribe(List.of(rejected));
        List<RejectedExample> dead = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (dead.isEmpty() && System.nanoTime() < deadline) {
          c.poll(Duration.ofMillis(500)).forEach(r -> dead.add(r.value().value()));
        }
        assertThat(dead).hasSize(1);
        assertThat(dead.getFirst().getRawPayload().toStringUtf8()).isEqualTo("{oops");
        assertThat(dead.getFirst().getRejections(0).getReason())
            .isEqualTo(RejectReason.MALFORMED_RECORD);
        assertThat(dead.getFirst().getRejections(0).getDetail()).contains("not valid JSON");
      }
    } finally {
      consumer.close();
    }
  }
}
