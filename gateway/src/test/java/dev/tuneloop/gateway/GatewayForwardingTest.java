package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.GatewayHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.Speaker;
import dev.tuneloop.proto.v1.TranscriptPolicy;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What the REST API sends upstream: the caller's tenant, the records as given, and tenant-scoped
 * jobs.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayForwardingTest implements TestPropertyProvider {
  private static final String ACME = "sk-acme";
  private static final String GLOBEX = "sk-globex";

  @Inject EmbeddedServer server;

  private RecordingUpstreams upstreams;
  private GatewayHttp http;

  @Override
  public Map<String, String> getProperties() {
    try {
      upstreams = new RecordingUpstreams();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return GatewayHttp.withCredentials(
        Map.of(
            "tuneloop.gateway.upstreams.ingest", upstreams.target(),
            "tuneloop.gateway.upstreams.curation", upstreams.target(),
            "tuneloop.gateway.upstreams.trainer", upstreams.target(),
            "tuneloop.gateway.upstreams.inference", upstreams.target(),
            "tuneloop.gateway.auth.api-keys", ACME + ":acme," + GLOBEX + ":globex",
            "micronaut.server.port", "-1",
            "grpc.server.port", "${random.port}"));
  }

  @AfterAll
  void stop() {
    upstreams.close();
  }

  @BeforeEach
  void client() {
    http = new GatewayHttp(server.getURL());
    upstreams.submitted.clear();
  }

  @Test
  void oneExampleIsSubmittedWithTheCallersTenantFormatAndIdempotencyKey() throws Exception {
    var response =
        http.post(
            "/v1/datasets/support/examples?format=alpaca",
            "{\"instruction\": \"Greet\", \"output\": \"Hello!\"}",
            ACME);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).at("/example_ids/0").asText()).startsWith("ex-");
    var sent = upstreams.submitted.getFirst();
    assertThat(sent.getTenant()).isEqualTo("acme");
    assertThat(sent.getDataset()).isEqualTo("support");
    assertThat(sent.getFormat()).isEqualTo("alpaca");
    assertThat(GatewayHttp.JSON.readTree(sent.getJson()).get("instruction").asText())
        .isEqualTo("Greet");
  }

  @Test
  void anArrayOfExamplesGoesOverOneStreamAndAnswersItsSummary() throws Exception {
    var response =
        http.post(
            "/v1/datasets/support/examples",
            "[{\"prompt\": \"a\", \"response\": \"b\"}, {\"prompt\": \"c\", \"response\": \"d\"}, "
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"e\"}]}]",
            ACME);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).get("received").asLong()).isEqualTo(3);
    assertThat(upstreams.submitted).extracting(r -> r.getFormat()).containsOnly("auto");
    assertThat(upstreams.submitted).hasSize(3);
  }

  @Test
  void aTranscriptIsMappedTurnByTurn() throws Exception {
    var response =
        http.post(
            "/v1/datasets/support/transcripts",
            """
                {"id": "T-1", "policy": "each_agent_reply", "system": "Be kind.",
                 "turns": [{"speaker": "customer", "text": "Late order"}, {"speaker": "agent", "text": "Ships today"}]}
                """,
            ACME);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).get("example_ids")).hasSize(2);
    var sent = upstreams.transcripts.getLast();
    assertThat(sent.getTenant()).isEqualTo("acme");
    assertThat(sent.getPolicy()).isEqualTo(TranscriptPolicy.EACH_AGENT_REPLY);
    assertThat(sent.getTranscript().getTurnsList())
        .extracting(t -> t.getSpeaker())
        .containsExactly(Speaker.SPEAKER_CUSTOMER, Speaker.SPEAKER_AGENT);
  }

  @Test
  void statsAreAskedForTheCallersTenant() throws Exception {
    var response = http.get("/v1/datasets/support/stats", GLOBEX);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("curated").asLong()).isEqualTo(12);
    assertThat(upstreams.statsRequests.getLast().getTenant()).isEqualTo("globex");
    // what the upstream scopes the call to: the tenant in the gateway's call credentials
    assertThat(upstreams.callerTenants.getLast()).isEqualTo("globex");
  }

  @Test
  void jobsAreSubmittedListedAndCancelledOnlyWithinTheTenant() throws Exception {
    var created =
        http.post(
            "/v1/jobs",
            """
                {"adapter_name": "bot", "base_model": "stories260K",
                 "dataset_snapshot": "datasets/acme/support/snapshots/1/manifest.json", "max_steps": 5}""",
            ACME);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode job = json(created);
    String id = job.at("/spec/job_id").asText();
    assertThat(job.at("/spec/tenant").asText()).isEqualTo("acme");
    assertThat(job.at("/spec/requested_by").asText()).isEqualTo("gateway");

    assertThat(json(http.get("/v1/jobs", ACME)).get("jobs")).hasSize(1);
    assertThat(json(http.get("/v1/jobs", GLOBEX)).get("jobs").isArray()).isTrue();
    assertThat(json(http.get("/v1/jobs", GLOBEX)).get("jobs")).isEmpty();
    assertThat(http.get("/v1/jobs/" + id, GLOBEX).statusCode()).isEqualTo(404);
    assertThat(http.get("/v1/jobs?state=bogus", ACME).statusCode()).isEqualTo(400);

    var cancelled = http.get("/v1/jobs/" + id, ACME);
    assertThat(cancelled.statusCode()).isEqualTo(200);
    var deleted = deleteJob(id, ACME);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(json(deleted).at("/latest/state").asText()).isEqualTo(JobState.CANCELLED.name());
    assertThat(deleteJob(id, GLOBEX).statusCode()).isEqualTo(404);
    assertThat(http.get("/v1/jobs/no-such-job", ACME).statusCode()).isEqualTo(404);
  }

  @Test
  void aJobForAnotherTenantOrWithoutAnAdapterNameIsRefused() throws Exception {
    var foreign =
        http.post(
            "/v1/jobs",
            "{\"tenant\": \"globex\", \"adapter_name\": \"bot\", " + "\"dataset_snapshot\": \"x\"}",
            ACME);
    var unnamed = http.post("/v1/jobs", "{\"dataset_snapshot\": \"x\"}", ACME);
    var unknownField =
        http.post("/v1/jobs", "{\"adapter_name\": \"bot\", \"learning_rate\": 0.1}", ACME);

    assertThat(foreign.statusCode()).isEqualTo(400);
    assertThat(json(foreign).at("/error/param").asText()).isEqualTo("tenant");
    assertThat(unnamed.statusCode()).isEqualTo(400);
    assertThat(json(unnamed).at("/error/param").asText()).isEqualTo("adapter_name");
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(json(unknownField).at("/error/message").asText())
        .isEqualTo("learning_rate: is not a field of TrainingJobSpec");
  }

  @Test
  void aClientLeavingAStreamedChatCancelsTheUpstreamCall() throws Exception {
    var request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.getURL() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + ACME)
            .header("Content-Type", "application/json")
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofString(
                    "{\"model\": \"base\", \"stream\": true, "
                        + "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"))
            .build();
    try (var client = java.net.http.HttpClient.newHttpClient()) {
      HttpResponse<java.io.InputStream> response =
          client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      try (var body = new java.io.BufferedReader(new java.io.InputStreamReader(response.body()))) {
        assertThat(body.readLine()).startsWith("data: ").contains("\"content\":\"Once\"");
      } // closing the body mid-stream drops the connection
    }

    assertThat(upstreams.chatCancelled.get(30, java.util.concurrent.TimeUnit.SECONDS))
        .startsWith("chatcmpl-");
  }

  private HttpResponse<String> deleteJob(String id, String key) throws Exception {
    var request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.getURL() + "/v1/jobs/" + id))
            .header("Authorization", "Bearer " + key)
            .DELETE()
            .build();
    return java.net.http.HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.ofString());
  }
}
