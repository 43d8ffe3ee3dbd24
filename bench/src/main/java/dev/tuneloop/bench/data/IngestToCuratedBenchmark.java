package dev.tuneloop.bench.data;

import com.google.protobuf.MessageLite;
import dev.tuneloop.curation.pipeline.CurationTopics;
import dev.tuneloop.curation.pipeline.CurationWorker;
import dev.tuneloop.curation.pipeline.TemplateProfiles;
import dev.tuneloop.curation.policy.PolicyProperties;
import dev.tuneloop.curation.retrain.RetrainPlanner;
import dev.tuneloop.curation.stats.StatsBook;
import dev.tuneloop.ingest.InFlightLimiter;
import dev.tuneloop.ingest.IngestLimits;
import dev.tuneloop.ingest.IngestService;
import dev.tuneloop.ingest.Intake;
import dev.tuneloop.ingest.RecentIds;
import dev.tuneloop.ingest.grpc.IngestGrpcEndpoint;
import dev.tuneloop.ingest.kafka.KafkaRawPublisher;
import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import dev.tuneloop.platform.config.KafkaSettings;
import dev.tuneloop.platform.embedded.EmbeddedKafka;
import dev.tuneloop.platform.embedded.EmbeddedS3;
import dev.tuneloop.platform.kafka.ProtobufSerializer;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.IngestServiceGrpc;
import dev.tuneloop.proto.v1.Source;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitSummary;
import dev.tuneloop.servicekit.auth.AuthConfiguration;
import dev.tuneloop.servicekit.auth.GrpcAuthInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Records per second through the data path — gRPC SubmitStream into ingest, examples.raw,
 * curation's transactional read-process-write, examples.curated / examples.rejected visible to a
 * read_committed consumer — beside the reference measured in the same run on the same broker: the
 * same records (the Examples ingest would write) produced with the same producer settings
 * (idempotent, acks=all) and consumed by one read_committed consumer. The ratio says what parsing,
 * validation, curation rules (real token counts) and transactions cost on top of Kafka itself.
 */
@Command(
    name = "ingest-curated-benchmark",
    mixinStandardHelpOptions = true,
    description = "records/s ingest -> curated vs raw Kafka produce+consume of the same records")
public final class IngestToCuratedBenchmark implements Callable<Integer> {

  @Option(names = "--records", description = "records per measured run (default ${DEFAULT-VALUE})")
  int records = 20_000;

  @Option(
      names = "--warmup",
      description = "records per warm-up run of each path (default ${DEFAULT-VALUE})")
  int warmup = 3_000;

  public static void main(String[] args) {
    System.exit(new CommandLine(new IngestToCuratedBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    try (EmbeddedKafka kafkaBroker = EmbeddedKafka.start();
        EmbeddedS3 s3 = EmbeddedS3.start()) {
      KafkaSettings kafka = KafkaSettings.of(kafkaBroker.bootstrapServers(), "bench");
      ObjectStore store = new ObjectStore(s3.settings());
      System.out.printf(
          "ingest -> curated benchmark: %d records (warm-up %d), %d CPUs%n",
          records, warmup, Runtime.getRuntime().availableProcessors());
      for (String round : List.of("warmup", "measured")) {
        int n = round.equals("warmup") ? warmup : records;
        List<SubmitRequest> requests = BenchRecords.generate(n, round.hashCode(), round);
        double baseline = baseline(kafka, round, requests);
        double pipeline = pipeline(kafka, store, round, requests);
        if (round.equals("measured")) {
          System.out.printf("raw Kafka produce+consume : %,10.0f records/s%n", baseline);
          System.out.printf("ingest -> curated         : %,10.0f records/s%n", pipeline);
          System.out.printf("ratio (pipeline / Kafka)  : %10.3f%n", pipeline / baseline);
        }
      }
    }
    return 0;
  }

  private static void createTopics(KafkaSettings kafka, String... names) throws Exception {
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      admin
          .createTopics(
              java.util.Arrays.stream(names).map(t -> new NewTopic(t, 3, (short) 1)).toList())
          .all()
          .get();
    }
  }

  /** The same Examples ingest would write, produced and consumed directly. */
  private static double baseline(KafkaSettings kafka, String round, List<SubmitRequest> requests)
      throws Exception {
    String topic = "baseline-" + round;
    createTopics(kafka, topic);
    Intake intake = new Intake(IngestLimits.DEFAULTS, Clock.systemUTC());
    List<Example> examples =
        requests.stream().map(r -> intake.toExample(r, Source.SOURCE_GRPC_STREAM)).toList();
    try (KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(
                kafka.consumerProperties("baseline-" + round),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        KafkaProducer<String, MessageLite> producer =
            new KafkaProducer<>(
                kafka.producerProperties(), new StringSerializer(), new ProtobufSerializer<>())) {
      consumer.subscribe(List.of(topic));
      awaitAssignment(consumer);
      long start = System.nanoTime();
      for (Example e : examples) {
        producer.send(new ProducerRecord<>(topic, e.getTenant() + "/" + e.getDataset(), e));
      }
      long seen = 0;
      while (seen < examples.size()) {
        for (var r : consumer.poll(Duration.ofMillis(100))) {
          Example.parseFrom(r.value()); // a consumer reads what it consumes
          seen++;
        }
      }
      return examples.size() / ((System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * gRPC SubmitStream -> ingest -> examples.raw -> curation worker -> curated/rejected seen by a
   * consumer.
   */
  private static double pipeline(
      KafkaSettings kafka, ObjectStore store, String round, List<SubmitRequest> requests)
      throws Exception {
    CurationTopics topics =
        new CurationTopics(
            "raw-" + round,
            "curated-" + round,
            "rejected-" + round,
            "requests-" + round,
            "events-" + round);
    createTopics(
        kafka,
        topics.raw(),
        topics.curated(),
        topics.rejected(),
        topics.trainingRequests(),
        topics.trainingEvents());
    KafkaProducer<String, MessageLite> producer =
        new KafkaProducer<>(
            kafka.producerProperties(), new StringSerializer(), new ProtobufSerializer<>());
    IngestService ingest =
        new IngestService(
            new Intake(IngestLimits.DEFAULTS, Clock.systemUTC()),
            new KafkaRawPublisher(producer, topics.raw()),
            new RecentIds(1_000_000),
            new InFlightLimiter(4000, Duration.ofSeconds(30)));
    Server server =
        ServerBuilder.forPort(0)
            .addService(new IngestGrpcEndpoint(ingest, 1024))
            .intercept( // the endpoint takes the tenant from the call's credentials
                new GrpcAuthInterceptor(
                    new AuthConfiguration(true, List.of(TENANT_KEY + ":bench"), List.of())))
            .build()
            .start();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext().build();
    CurationWorker worker =
        new CurationWorker(
            new CurationWorker.Config(
                kafka, topics, "curation-" + round, "curation-" + round, Duration.ofSeconds(30)),
            PolicyProperties.parse(Map.of("defaults.retrain.enabled", "false")),
            new TemplateProfiles(Llama2cTokenizer.stories260K()),
            new StatsBook(),
            new RetrainPlanner(),
            store,
            Clock.systemUTC());
    try (KafkaConsumer<String, byte[]> out =
        new KafkaConsumer<>(
            kafka.consumerProperties("out-" + round),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      out.subscribe(List.of(topics.curated(), topics.rejected()));
      awaitAssignment(out);
      worker.start();
      // The worker's first session (state rebuild, group join) is start-up, not throughput: wait
      // for one record.
      ingest.submit(requests.getFirst(), Source.SOURCE_GRPC).get(60, TimeUnit.SECONDS);
      long seen = 0;
      while (seen < 1) {
        seen += out.poll(Duration.ofMillis(100)).count();
      }
      List<SubmitRequest> rest = requests.subList(1, requests.size());
      long start = System.nanoTime();
      CompletableFuture<SubmitSummary> summary = submitStream(channel, rest);
      long[] ingested = new long[1];
      summary.thenRun(() -> ingested[0] = System.nanoTime());
      while (seen < requests.size()) {
        seen += out.poll(Duration.ofMillis(100)).count();
      }
      double rate = rest.size() / ((System.nanoTime() - start) / 1e9);
      SubmitSummary s = summary.get(60, TimeUnit.SECONDS);
      System.out.printf(
          "  %s: all %d acknowledged on examples.raw after %.1f s (%,.0f records/s into ingest), all decided after %.1f s%n",
          round,
          rest.size(),
          (ingested[0] - start) / 1e9,
          rest.size() / ((ingested[0] - start) / 1e9),
          rest.size() / rate);
      if (s.getAccepted() + s.getDuplicates() != rest.size()) {
        throw new IllegalStateException("ingest did not take every record: " + s);
      }
      return rate;
    } finally {
      worker.close();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      producer.close();
    }
  }

  private static CompletableFuture<SubmitSummary> submitStream(
      ManagedChannel channel, List<SubmitRequest> requests) {
    CompletableFuture<SubmitSummary> summary = new CompletableFuture<>();
    StreamObserver<SubmitRequest> stream =
        IngestServiceGrpc.newStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(credentials()))
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
    requests.forEach(stream::onNext);
    stream.onCompleted();
    return summary;
  }

  private static void awaitAssignment(KafkaConsumer<?, ?> consumer) {
    while (consumer.assignment().isEmpty()) {
      consumer.poll(Duration.ofMillis(100));
    }
  }

  /** A random tenant key of this run's in-process ingest server. */
  private static final String TENANT_KEY = java.util.UUID.randomUUID().toString();

  private static io.grpc.Metadata credentials() {
    io.grpc.Metadata headers = new io.grpc.Metadata();
    headers.put(GrpcAuthInterceptor.AUTHORIZATION, "Bearer " + TENANT_KEY);
    return headers;
  }
}
