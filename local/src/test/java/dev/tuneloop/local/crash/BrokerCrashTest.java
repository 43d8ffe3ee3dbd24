package dev.tuneloop.local.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tuneloop.local.ServiceProcess;
import dev.tuneloop.platform.kafka.Topics;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.RejectedExample;
import dev.tuneloop.proto.v1.SubmitRequest;
import dev.tuneloop.proto.v1.SubmitResponse;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker, in a JVM of its own, SIGKILLed while a client submits examples through ingest
 * and started again on the same log directory and port. The client does what a real one does: it
 * retries a failed or unanswered call with the same idempotency key. Every acknowledged example is
 * on examples.raw exactly once and curated exactly once, and neither service was restarted.
 */
class BrokerCrashTest {
  private static final int TOTAL = 300;
  private static final Duration CALL = Duration.ofSeconds(10);
  private static final Duration GIVE_UP = Duration.ofMinutes(4);

  @Test
  void brokerKilledUnderIngestLoadLosesNothingAndTheServicesRecoverOnTheirOwn(@TempDir Path dir)
      throws Exception {
    Path root = dir.toAbsolutePath();
    try (BrokerProcess broker = new BrokerProcess(root.resolve("kafka"))) {
      broker.start();
      try (CrashCluster cluster = CrashCluster.withBroker(broker.bootstrapServers(), root);
          Clients clients = new Clients()) {
        ServiceProcess ingest = cluster.start("ingest", Map.of());
        ServiceProcess curation =
            cluster.start("curation", Map.of("curation.defaults.retrain.enabled", "false"));
        Client client = new Client(clients, cluster.grpcTarget("ingest"));
        CompletableFuture<Void> submitting = new CompletableFuture<>();
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    client.submitAll();
                    submitting.complete(null);
                  } catch (RuntimeException e) {
                    submitting.completeExceptionally(e);
                  }
                });

        await()
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> client.acknowledged.size() >= TOTAL / 4);
        broker.kill();
        int acknowledgedBeforeKill = client.acknowledged.size();
        await() // the outage reached the client: calls fail or go unanswered
            .atMost(Duration.ofMinutes(1))
            .until(() -> client.failedCalls.get() > 0);
        broker.start();

        submitting.get(5, TimeUnit.MINUTES);
        assertThat(acknowledgedBeforeKill).as("killed under load").isLessThan(TOTAL);
        assertThat(client.acknowledged).hasSize(TOTAL);

        List<String> raw =
            TopicReader.readAll(cluster.kafka(), Topics.EXAMPLES_RAW, Example.parser()).stream()
                .map(Example::getId)
                .toList();
        assertThat(raw).doesNotHaveDuplicates();
        assertThat(new HashSet<>(raw)).isEqualTo(client.acknowledged);

        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> decided(cluster).size() >= TOTAL);
        assertThat(
                TopicReader.readAll(
                    cluster.kafka(), Topics.EXAMPLES_REJECTED, RejectedExample.parser()))
            .as("nothing rejected")
            .isEmpty();
        List<String> curated = decided(cluster); // rejected is empty: these are the curated ids
        assertThat(curated).doesNotHaveDuplicates();
        assertThat(new HashSet<>(curated)).isEqualTo(client.acknowledged);
        assertThat(ingest.isAlive() && curation.isAlive()).as("never restarted").isTrue();
        System.out.printf(
            "broker crash: killed after %d of %d acknowledged; %d calls failed and were retried"
                + " (%d answered as duplicates); all %d on examples.raw and curated exactly once%n",
            acknowledgedBeforeKill,
            TOTAL,
            client.failedCalls.get(),
            client.duplicateAnswers.get(),
            TOTAL);
      }
    }
  }

  /** Ids on examples.curated and examples.rejected, committed only. */
  private static List<String> decided(CrashCluster cluster) {
    List<String> ids = new ArrayList<>();
    TopicReader.readAll(cluster.kafka(), Topics.EXAMPLES_CURATED, CuratedExample.parser())
        .forEach(c -> ids.add(c.getExample().getId()));
    TopicReader.readAll(cluster.kafka(), Topics.EXAMPLES_REJECTED, RejectedExample.parser())
        .forEach(r -> ids.add(r.getExample().getId()));
    return ids;
  }

  /**
   * {@value #CALLERS} callers submitting {@value #TOTAL} distinct examples between them, each call
   * retried until it is answered.
   */
  private static final class Client {
    private static final int CALLERS = 4;
    private final Clients clients;
    private final String target;
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final AtomicInteger failedCalls = new AtomicInteger();
    final AtomicInteger duplicateAnswers = new AtomicInteger();

    Client(Clients clients, String target) {
      this.clients = clients;
      this.target = target;
    }

    void submitAll() {
      List<Future<?>> callers = new ArrayList<>();
      try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int c = 0; c < CALLERS; c++) {
          int caller = c;
          callers.add(threads.submit(() -> submitShare(caller)));
        }
      } // waits for every caller
      for (Future<?> caller : callers) {
        try {
          caller.get();
        } catch (InterruptedException | ExecutionException e) {
          throw new IllegalStateException("a caller gave up: " + e.getMessage(), e);
        }
      }
    }

    private void submitShare(int caller) {
      Random random = new Random(caller);
      for (int i = caller; i < TOTAL; i += CALLERS) {
        SubmitRequest request =
            SubmitRequest.newBuilder()
                .setTenant("acme")
                .setDataset("support")
                .setIdempotencyKey("ticket-" + i)
                .setPair(
                    PromptResponse.newBuilder()
                        .setPrompt("Ticket " + i + ": " + words(random, 9) + "?")
                        .setResponse("For ticket " + i + " we " + words(random, 16) + "."))
                .build();
        long giveUp = System.nanoTime() + GIVE_UP.toNanos(); // a safety net, not a timing check
        while (true) { // a real client's retry: same request, same idempotency key, a short backoff
          try {
            SubmitResponse answer = clients.ingest(target, CALL).submit(request);
            if (answer.getDuplicate()) duplicateAnswers.incrementAndGet();
            acknowledged.addAll(answer.getExampleIdsList());
            break;
          } catch (StatusRuntimeException e) {
            failedCalls.incrementAndGet();
            if (System.nanoTime() > giveUp) throw e;
            backoff();
          }
        }
      }
    }
  }

  private static void backoff() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static final String[] WORDS =
      ("order refund invoice password account delivery parcel router firmware battery screen"
              + " warranty subscription plan upgrade cancel address payment card bank login email"
              + " reset update install driver printer network signal speed billing receipt return"
              + " exchange size colour stock shipping tracking courier morning evening weekend")
          .split(" ");

  private static String words(Random random, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
    }
    return s.toString();
  }
}
