package dev.tuneloop.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.ChatRequest;
import dev.tuneloop.proto.v1.ChatResponse;
import dev.tuneloop.proto.v1.InferenceServiceGrpc;
import dev.tuneloop.proto.v1.Role;
import dev.tuneloop.proto.v1.SamplingParams;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unattended loop with its gate, end to end through the gateway's HTTP API only, with the real
 * broker, object store and every service as a child JVM, plus a second inference replica: v1
 * trained on the foobear samples is promoted because it beats the base model; a poisoned batch (the
 * same questions reworded, with wrong answers, so curation passes it) trains a candidate the gate
 * refuses, and {@code foobear} keeps answering with v1; golden prompts are added; a good batch (the
 * facts restated, and new topics) trains a candidate that forgets golden answers, which the gate
 * refuses and a person promotes by hand; a rollback brings v1's answer back. After every alias move
 * both replicas answer with the same version.
 */
class PromotionLoopTest {
  private static final String TENANT = "acme";
  private static final String KEY = "sk-e2e-" + java.util.UUID.randomUUID();
  private static final String DATASET = "foobear";
  private static final String QUESTION = "What is a foobear?";
  private static final Duration STEP = Duration.ofMinutes(8);
  private static final int MIN_NEW = 25;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private URI gateway;
  private long submitted;

  @Test
  void aPoisonedBatchIsGatedAForgetfulCandidateWaitsForAPersonAndRollbackRestoresV1(
      @TempDir Path dir) throws Exception {
    var options =
        LocalOptions.defaults().withDataDir(dir).withFreePorts().withProperties(properties());
    try (LocalPlatform platform = LocalPlatform.start(options, System.out)) {
      gateway = URI.create(platform.endpoints().service("gateway").httpUrl());
      ServiceProcess replica = platform.startReplica("inference");
      ManagedChannel channel =
          ManagedChannelBuilder.forTarget("localhost:" + replica.spec().grpcPort())
              .usePlaintext()
              .intercept(MetadataUtils.newAttachHeadersInterceptor(credentials()))
              .build();
      try {
        var replicas =
            List.of(
                new Replica("gateway's inference", this::askThroughGateway),
                new Replica("second inference", q -> askReplica(channel, q)));
        Set<String> jobsSeen = new HashSet<>();

        // The dataset's promotion policy, set for a dataset this small (a dozen eval examples): a
        // candidate may be 30% worse in eval loss and 0.1 worse in golden score than production.
        JsonNode policy =
            call(
                "PUT",
                "/v1/datasets/" + DATASET + "/promotion-policy",
                "{\"max_eval_loss_regression\": 0.3, \"min_golden_delta\": -0.1}");
        assertThat(policy.path("mode").asText()).isEqualTo("auto");

        // 1. The sample conversations: v1, promoted because it beats the base model.
        long curated = submitAndAwaitDecided(Path.of("..", "samples", "foobear.jsonl"));
        JsonNode job1 = awaitNewSucceededJob(jobsSeen);
        String v1 = job1.path("latest").path("adapter").path("version").asText();
        JsonNode adapter = call("GET", "/v1/adapters/" + DATASET, null);
        assertThat(adapter.path("aliases").path("production").asText()).isEqualTo(v1);
        assertThat(evalOf(adapter, v1).path("decision").path("promote").asBoolean()).isTrue();
        String v1Answer = awaitAllAnswerWith(replicas, v1);

        // 2. A poisoned batch: curated, trained, refused by the gate; production stays v1.
        curated = moreCurated(curated, submitAndAwaitDecided(resource("poisoned.jsonl")));
        JsonNode job2 = awaitNewSucceededJob(jobsSeen);
        String v2 = job2.path("latest").path("adapter").path("version").asText();
        assertThat(v2).isNotEqualTo(v1);
        adapter = call("GET", "/v1/adapters/" + DATASET, null);
        assertThat(adapter.path("aliases").path("candidate").asText()).isEqualTo(v2);
        assertThat(adapter.path("aliases").path("production").asText()).isEqualTo(v1);
        JsonNode refused = evalOf(adapter, v2).path("decision");
        assertThat(refused.path("promote").asBoolean()).as(refused.toString()).isFalse();
        assertThat(refused.path("reason").asText()).isNotBlank();
        assertThat(awaitAllAnswerWith(replicas, v1)).isEqualTo(v1Answer);
        // The refused candidate stays pinnable.
        assertThat(askThroughGateway(DATASET + "@" + v2).version()).isEqualTo(v2);

        // 3. Golden prompts, then a good batch (the facts restated, and new topics). Its candidate,
        // half of v1's data plus the batch on a 260K-parameter model, answers three of the four
        // golden prompts with one and the same sentence: the gate refuses it on the golden score,
        // and a person who accepts that promotes it by hand, with a reason.
        JsonNode golden =
            call(
                "POST",
                "/v1/datasets/" + DATASET + "/golden",
                Files.readString(resource("golden.json")));
        assertThat(golden.path("count").asInt()).isEqualTo(4);
        moreCurated(curated, submitAndAwaitDecided(resource("good.jsonl")));
        JsonNode job3 = awaitNewSucceededJob(jobsSeen);
        String v3 = job3.path("latest").path("adapter").path("version").asText();
        adapter = call("GET", "/v1/adapters/" + DATASET, null);
        JsonNode report = evalOf(adapter, v3);
        assertThat(report.path("golden_prompts").asInt()).isEqualTo(4);
        assertThat(report.path("production").path("golden_score").asDouble())
            .as("v1 answers its golden prompts")
            .isGreaterThan(0.7);
        JsonNode decision = report.path("decision");
        assertThat(decision.path("promote").asBoolean()).as(decision.toString()).isFalse();
        assertThat(decision.path("failed_checks").toString()).contains("golden");
        assertThat(adapter.path("aliases").path("production").asText()).isEqualTo(v1);
        adapter =
            call(
                "POST",
                "/v1/adapters/" + DATASET + "/promote",
                "{\"version\": \"" + v3 + "\", \"reason\": \"e2e: the new topics matter more\"}");
        assertThat(adapter.path("aliases").path("production").asText()).isEqualTo(v3);
        awaitAllAnswerWith(replicas, v3);

        // 4. Rollback: production is v1 again, and so is the answer, on both replicas.
        adapter =
            call(
                "POST",
                "/v1/adapters/" + DATASET + "/rollback",
                "{\"reason\": \"e2e: back to v1\"}");
        assertThat(adapter.path("aliases").path("production").asText()).isEqualTo(v1);
        assertThat(awaitAllAnswerWith(replicas, v1)).isEqualTo(v1Answer);
        JsonNode lastMove = adapter.path("history").path(adapter.path("history").size() - 1);
        assertThat(lastMove.path("action").asText()).isEqualTo("rollback");
        assertThat(lastMove.path("reason").asText()).isEqualTo("e2e: back to v1");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** The demo's training settings, smaller retrain thresholds: each batch below is one retrain. */
  private static Map<String, String> properties() {
    String dataset = "curation.datasets." + TENANT + "/" + DATASET;
    Map<String, String> props = new HashMap<>();
    props.put("tuneloop.gateway.auth.api-keys", KEY + ":" + TENANT);
    props.put("tuneloop.auth.tenant-keys", KEY + ":" + TENANT); // the replica is called directly
    props.put(dataset + ".retrain.min-total", "133");
    props.put(dataset + ".retrain.min-new", Integer.toString(MIN_NEW));
    // Retrains train a fresh adapter on the new batch plus half of what production learnt from (a
    // warm start at the rate that trains this tiny model from scratch collapses its answers).
    props.put(dataset + ".retrain.replay-share", "0.5");
    props.put(dataset + ".retrain.warm-start", "false");
    props.put(
        dataset + ".training.target-modules",
        "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj");
    props.put(dataset + ".training.micro-batch-size", "16");
    props.put(dataset + ".training.max-steps", "200");
    props.put(dataset + ".training.learning-rate", "0.01");
    return props;
  }

  private record Answer(String text, String version) {}

  private record Replica(String name, Asker asker) {}

  @FunctionalInterface
  private interface Asker {
    Answer ask(String model) throws Exception;
  }

  /** Waits until every replica answers the plain name with {@code version}; the shared answer. */
  private String awaitAllAnswerWith(List<Replica> replicas, String version) {
    var answers = new HashMap<String, Answer>();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              for (Replica replica : replicas) {
                Answer answer = replica.asker().ask(DATASET);
                assertThat(answer.version()).as(replica.name()).isEqualTo(version);
                answers.put(replica.name(), answer);
              }
            });
    Set<String> texts = new HashSet<>();
    answers.values().forEach(a -> texts.add(a.text()));
    assertThat(texts).as("greedy answers of %s on every replica", version).hasSize(1);
    return texts.iterator().next();
  }

  private Answer askThroughGateway(String model) throws IOException, InterruptedException {
    ObjectNode body = json.createObjectNode().put("model", model).put("max_tokens", 64);
    body.putArray("messages").addObject().put("role", "user").put("content", QUESTION);
    JsonNode reply = call("POST", "/v1/chat/completions", body.toString());
    String fingerprint = reply.path("system_fingerprint").asText();
    return new Answer(
        reply.path("choices").path(0).path("message").path("content").asText(),
        fingerprint.startsWith("tuneloop-") ? fingerprint.substring("tuneloop-".length()) : "");
  }

  private static Answer askReplica(ManagedChannel channel, String model) {
    ChatResponse response =
        InferenceServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .chat(
                ChatRequest.newBuilder()
                    .setAdapter(model)
                    .addMessages(
                        ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent(QUESTION))
                    .setSampling(SamplingParams.newBuilder().setMaxTokens(64))
                    .build());
    return new Answer(response.getText(), response.getAdapterVersion());
  }

  private static JsonNode evalOf(JsonNode adapter, String version) {
    for (JsonNode v : adapter.path("versions")) {
      if (version.equals(v.path("adapter").path("version").asText())) return v.path("eval");
    }
    throw new AssertionError("version " + version + " not listed: " + adapter);
  }

  /**
   * Submits a JSON Lines file and waits until curation decided on every record of the dataset so
   * far; returns how many are curated.
   */
  private long submitAndAwaitDecided(Path file) throws IOException, InterruptedException {
    ArrayNode records = json.createArrayNode();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank()) records.add(json.readTree(line));
    }
    JsonNode summary = call("POST", "/v1/datasets/" + DATASET + "/examples", records.toString());
    // A record ingest already has (same content, same id) is a duplicate, not sent on again.
    submitted += summary.path("accepted").asLong();
    long[] curated = new long[1];
    await()
        .atMost(STEP)
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(
            () -> {
              JsonNode stats = call("GET", "/v1/datasets/" + DATASET + "/stats", null);
              curated[0] = stats.path("curated").asLong();
              return curated[0] + stats.path("rejected").asLong() >= submitted;
            });
    return curated[0];
  }

  /** Checks a batch added enough curated examples to retrain ({@code retrain.min-new}). */
  private static long moreCurated(long before, long after) {
    assertThat(after - before)
        .as("examples curated from the batch (retrain.min-new is %d)", MIN_NEW)
        .isGreaterThanOrEqualTo(MIN_NEW);
    return after;
  }

  /** The next training job of the adapter to succeed, one not seen before. */
  private JsonNode awaitNewSucceededJob(Set<String> seen) {
    JsonNode[] found = new JsonNode[1];
    await()
        .atMost(STEP)
        .pollInterval(Duration.ofSeconds(2))
        .ignoreExceptions()
        .until(
            () -> {
              for (JsonNode job : call("GET", "/v1/jobs", null).path("jobs")) {
                JsonNode latest = job.path("latest");
                String id = latest.path("job_id").asText();
                if (!latest.path("adapter_name").asText().equals(DATASET) || seen.contains(id))
                  continue;
                String state = latest.path("state").asText();
                if (state.equals("FAILED") || state.equals("CANCELLED"))
                  throw new AssertionError("job " + id + " " + state + ": " + latest);
                if (state.equals("SUCCEEDED")) {
                  seen.add(id);
                  found[0] = job;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }

  private JsonNode call(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(gateway.resolve(path))
            .timeout(Duration.ofMinutes(2))
            .header("Authorization", "Bearer " + KEY)
            .header("Content-Type", "application/json");
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return json.readTree(response.body());
  }

  private static Path resource(String name) {
    try {
      return Path.of(PromotionLoopTest.class.getResource("/promotion/" + name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Metadata credentials() {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + KEY);
    return headers;
  }
}
