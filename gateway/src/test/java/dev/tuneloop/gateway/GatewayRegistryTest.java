package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.GatewayHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuneloop.proto.v1.AdapterDetails;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.AdapterVersion;
import dev.tuneloop.proto.v1.AliasMove;
import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.proto.v1.EvalScores;
import dev.tuneloop.proto.v1.GetAdapterRequest;
import dev.tuneloop.proto.v1.PromoteRequest;
import dev.tuneloop.proto.v1.PromotionDecision;
import dev.tuneloop.proto.v1.PutGoldenPromptsRequest;
import dev.tuneloop.proto.v1.RollbackRequest;
import dev.tuneloop.proto.v1.SetPromotionPolicyRequest;
import io.grpc.Status;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The REST API of adapter versions, aliases, golden prompts and promotion policies against a
 * recording AdapterRegistryService double (behind the services' auth interceptor): what the gateway
 * sends, for which tenant, how it prints the answers and how it maps the registry's statuses.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayRegistryTest implements TestPropertyProvider {
  private static final String ACME = "sk-acme";
  private static final String GLOBEX = "sk-globex";
  private static final String V1 = "1111aaaa2222bbbb";
  private static final String V2 = "3333cccc4444dddd";
  private static final String JSONL = "application/x-ndjson";

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
  void seed() {
    http = new GatewayHttp(server.getURL());
    upstreams.registryRequests.clear();
    upstreams.registryTenants.clear();
    upstreams.golden.clear();
    upstreams.policies.clear();
    upstreams.adapters.clear();
    upstreams.adapters.put("acme/foobear", foobear());
  }

  /** v1 in production (trained before the gate: no eval report), v2 the evaluated candidate. */
  private static AdapterDetails foobear() {
    EvalReport report =
        EvalReport.newBuilder()
            .setTenant("acme")
            .setName("foobear")
            .setVersion(V2)
            .setCandidate(EvalScores.newBuilder().setVersion(V2).setEvalLoss(0.91))
            .setProduction(EvalScores.newBuilder().setVersion(V1).setEvalLoss(0.88))
            .setDecision(
                PromotionDecision.newBuilder()
                    .setPromote(false)
                    .setReason("eval loss 0.91 vs production 0.88 (+3.4%, limit +5%): ok; manual")
                    .addFailedChecks("manual"))
            .build();
    return AdapterDetails.newBuilder()
        .setTenant("acme")
        .setName("foobear")
        .addVersions(AdapterVersion.newBuilder().setAdapter(published(V1)).addAliases("production"))
        .addVersions(
            AdapterVersion.newBuilder()
                .setAdapter(published(V2))
                .setEval(report)
                .addAliases("candidate"))
        .putAliases("production", V1)
        .putAliases("candidate", V2)
        .addHistory(
            AliasMove.newBuilder()
                .setAlias("production")
                .setVersion(V1)
                .setActor("trainer/promotion-gate")
                .setAction("gate"))
        .build();
  }

  private static AdapterPublished published(String version) {
    return AdapterPublished.newBuilder()
        .setTenant("acme")
        .setName("foobear")
        .setVersion(version)
        .build();
  }

  @Test
  void getAdapterAnswersVersionsWithEvalReportsAliasesAndHistoryForTheCallersTenant()
      throws Exception {
    var response = http.get("/v1/adapters/foobear", ACME);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode details = json(response);
    assertThat(details.at("/versions/0/adapter/version").asText()).isEqualTo(V1);
    assertThat(details.at("/versions/0/aliases/0").asText()).isEqualTo("production");
    assertThat(details.at("/versions/0").has("eval")).isFalse();
    assertThat(details.at("/versions/1/eval/candidate/eval_loss").asDouble()).isEqualTo(0.91);
    assertThat(details.at("/versions/1/eval/decision/failed_checks/0").asText())
        .isEqualTo("manual");
    assertThat(details.at("/aliases/candidate").asText()).isEqualTo(V2);
    assertThat(details.at("/history/0/actor").asText()).isEqualTo("trainer/promotion-gate");
    assertThat(upstreams.registryRequests)
        .containsExactly(GetAdapterRequest.newBuilder().setName("foobear").build());
    assertThat(upstreams.registryTenants).containsExactly("acme");
  }

  @Test
  void anotherTenantsAdapterIsNotFoundWithTheRegistrysMessage() throws Exception {
    var response = http.get("/v1/adapters/foobear", GLOBEX);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).at("/error/message").asText()).isEqualTo("no adapter \"foobear\"");
    assertThat(upstreams.registryTenants).containsExactly("globex");
  }

  @Test
  void promoteMovesProductionAndAnswersTheNewDetails() throws Exception {
    var response =
        http.post(
            "/v1/adapters/foobear/promote",
            "{\"version\": \"" + V2 + "\", \"reason\": \"golden answers are better\"}",
            ACME);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode details = json(response);
    assertThat(details.at("/aliases/production").asText()).isEqualTo(V2);
    assertThat(details.at("/history/1/action").asText()).isEqualTo("promote");
    assertThat(details.at("/history/1/actor").asText()).isEqualTo("tenant:acme");
    assertThat(details.at("/history/1/previous_version").asText()).isEqualTo(V1);
    assertThat(upstreams.registryRequests)
        .containsExactly(
            PromoteRequest.newBuilder()
                .setName("foobear")
                .setVersion(V2)
                .setReason("golden answers are better")
                .build());
  }

  @Test
  void promoteWithoutAVersionWithAnUnknownFieldOrABadNameNeverReachesTheRegistry()
      throws Exception {
    var noVersion = http.post("/v1/adapters/foobear/promote", "{\"reason\": \"x\"}", ACME);
    var typo =
        http.post(
            "/v1/adapters/foobear/promote", "{\"version\": \"" + V2 + "\", \"force\": 1}", ACME);
    var notText = http.post("/v1/adapters/foobear/promote", "{\"version\": 2}", ACME);
    var badName = http.post("/v1/adapters/-foobear/promote", "{\"version\": \"" + V2 + "\"}", ACME);

    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(json(noVersion).at("/error/param").asText()).isEqualTo("version");
    assertThat(json(noVersion).at("/error/message").asText()).startsWith("version: is required");
    assertThat(typo.statusCode()).isEqualTo(400);
    assertThat(json(typo).at("/error/param").asText()).isEqualTo("force");
    assertThat(json(typo).at("/error/message").asText()).contains("allowed: version, reason");
    assertThat(notText.statusCode()).isEqualTo(400);
    assertThat(json(notText).at("/error/message").asText()).isEqualTo("version: must be a string");
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(json(badName).at("/error/param").asText()).isEqualTo("adapter_name");
    assertThat(upstreams.registryRequests).isEmpty();
  }

  @Test
  void rollbackTakesNoBodyOrAReasonAndRefusesWhenThereIsNothingToGoBackTo() throws Exception {
    var nothingEarlier = http.send("POST", "/v1/adapters/foobear/rollback", null, null, ACME);
    assertThat(nothingEarlier.statusCode()).as(nothingEarlier.body()).isEqualTo(409);
    assertThat(json(nothingEarlier).at("/error/message").asText())
        .isEqualTo("adapter \"foobear\" has no earlier production version");

    http.post("/v1/adapters/foobear/promote", "{\"version\": \"" + V2 + "\"}", ACME);
    var back = http.post("/v1/adapters/foobear/rollback", "{\"reason\": \"users complain\"}", ACME);

    assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
    assertThat(json(back).at("/aliases/production").asText()).isEqualTo(V1);
    assertThat(json(back).at("/history/2/action").asText()).isEqualTo("rollback");
    assertThat(upstreams.registryRequests)
        .contains(
            RollbackRequest.newBuilder().setName("foobear").build(),
            RollbackRequest.newBuilder().setName("foobear").setReason("users complain").build());
    var typo = http.post("/v1/adapters/foobear/rollback", "{\"version\": \"" + V1 + "\"}", ACME);
    assertThat(typo.statusCode()).isEqualTo(400);
    assertThat(json(typo).at("/error/param").asText()).isEqualTo("version");
  }

  @Test
  void registryStatusesMapToHttpWithTheirMessageAndNoAddress() throws Exception {
    Map<Status, Integer> expected =
        Map.of(
            Status.INVALID_ARGUMENT, 400,
            Status.NOT_FOUND, 404,
            Status.FAILED_PRECONDITION, 409,
            Status.UNAVAILABLE, 503);
    for (var entry : expected.entrySet()) {
      upstreams.registryFailure.set(
          entry.getKey().withDescription("the registry at trainer-7.internal:50053 says no"));

      var response = http.get("/v1/datasets/support/promotion-policy", ACME);

      String message = json(response).at("/error/message").asText();
      assertThat(response.statusCode()).as(message).isEqualTo(entry.getValue());
      assertThat(message).contains("the registry at (address) says no").doesNotContain("50053");
      if (entry.getValue() == 503) {
        assertThat(message).startsWith("trainer-service is unavailable: ");
      }
    }
  }

  @Test
  void goldenPromptsAsAJsonArrayAreAddedAndListed() throws Exception {
    var response =
        http.post(
            "/v1/datasets/support/golden",
            """
                [{"prompt": "What is a foobear?", "expected": "A mythical creature."},
                 {"prompt": "Where do foobears live?", "expected": "In Australia."}]""",
            ACME);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).get("dataset").asText()).isEqualTo("support");
    assertThat(json(response).get("count").asInt()).isEqualTo(2);
    var sent = (PutGoldenPromptsRequest) upstreams.registryRequests.getLast();
    assertThat(sent.getReplace()).isFalse();
    assertThat(sent.getPrompts(1).getExpected()).isEqualTo("In Australia.");
    assertThat(upstreams.registryTenants).containsExactly("acme");

    var listed = json(http.get("/v1/datasets/support/golden", ACME));
    assertThat(listed.at("/prompts/0/prompt").asText()).isEqualTo("What is a foobear?");
    assertThat(listed.get("prompts")).hasSize(2);
    assertThat(json(http.get("/v1/datasets/support/golden", GLOBEX)).get("prompts")).isEmpty();
  }

  @Test
  void goldenPromptsAsJsonLinesAreAddedByContentTypeOrByTheirFirstCharacterAndReplaced()
      throws Exception {
    String lines =
        "{\"prompt\": \"a\", \"expected\": \"b\"}\r\n\n{\"prompt\": \"c\", \"expected\": \"d\"}\n";
    var byType = http.send("POST", "/v1/datasets/support/golden", lines, JSONL, ACME);
    var sniffed =
        http.send(
            "POST",
            "/v1/datasets/support/golden",
            "  {\"prompt\": \"e\", \"expected\": \"f\"}",
            "application/json",
            ACME);
    var replaced =
        http.send(
            "POST",
            "/v1/datasets/support/golden?replace=true",
            "{\"prompt\": \"g\", \"expected\": \"h\"}",
            "application/jsonl",
            ACME);

    assertThat(byType.statusCode()).as(byType.body()).isEqualTo(200);
    assertThat(json(byType).get("count").asInt()).isEqualTo(2);
    assertThat(json(sniffed).get("count").asInt()).isEqualTo(3);
    assertThat(json(replaced).get("count").asInt()).isEqualTo(1);
    assertThat(((PutGoldenPromptsRequest) upstreams.registryRequests.getLast()).getReplace())
        .isTrue();
    var listed = json(http.get("/v1/datasets/support/golden", ACME));
    assertThat(listed.get("prompts")).hasSize(1);
    assertThat(listed.at("/prompts/0/expected").asText()).isEqualTo("h");
  }

  @Test
  void aBadGoldenPromptIsRefusedNamingItsLineAndNothingIsSent() throws Exception {
    var missing =
        http.send(
            "POST",
            "/v1/datasets/support/golden",
            "{\"prompt\": \"a\", \"expected\": \"b\"}\n\n{\"prompt\": \"c\"}\n",
            JSONL,
            ACME);
    var malformed =
        http.send(
            "POST",
            "/v1/datasets/support/golden",
            "{\"prompt\": \"a\", \"expected\": \"b\"}\n{\"prompt\": \"c\", \n",
            JSONL,
            ACME);
    var twoOnALine =
        http.send(
            "POST",
            "/v1/datasets/support/golden",
            "{\"prompt\": \"a\", \"expected\": \"b\"} {\"prompt\": \"c\", \"expected\": \"d\"}",
            JSONL,
            ACME);
    var unknownField =
        http.post(
            "/v1/datasets/support/golden",
            "[{\"prompt\": \"a\", \"expected\": \"b\"},\n {\"prompt\": \"c\", \"answer\": \"d\"}]",
            ACME);
    var badFlag =
        http.post(
            "/v1/datasets/support/golden?replace=yes",
            "[{\"prompt\": \"a\", \"expected\": \"b\"}]",
            ACME);
    var empty = http.post("/v1/datasets/support/golden", "[]", ACME);
    var bareFlag =
        http.post(
            "/v1/datasets/support/golden?replace",
            "[{\"prompt\": \"a\", \"expected\": \"b\"}]",
            ACME);

    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(json(missing).at("/error/message").asText())
        .isEqualTo("line 3: \"expected\" is required (a non-empty string)");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed).at("/error/message").asText()).startsWith("line 2: not valid JSON");
    assertThat(twoOnALine.statusCode()).isEqualTo(400);
    assertThat(json(twoOnALine).at("/error/message").asText()).startsWith("line 1: not valid JSON");
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(json(unknownField).at("/error/message").asText())
        .isEqualTo("[1] (line 2): answer: is not a field here (allowed: prompt, expected)");
    assertThat(badFlag.statusCode()).isEqualTo(400);
    assertThat(json(badFlag).at("/error/param").asText()).isEqualTo("replace");
    assertThat(bareFlag.statusCode()).isEqualTo(400);
    assertThat(json(bareFlag).at("/error/message").asText())
        .isEqualTo("replace: must be true or false, not \"\"");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(json(empty).at("/error/message").asText()).contains("no golden prompts");
    assertThat(upstreams.registryRequests).isEmpty();
  }

  @Test
  void aPromotionPolicyRoundTripsSendingOnlyTheFieldsGivenAndStaysWithinTheTenant()
      throws Exception {
    var defaults = json(http.get("/v1/datasets/support/promotion-policy", ACME));
    assertThat(defaults.get("mode").asText()).isEqualTo("auto");
    assertThat(defaults.get("max_eval_loss_regression").asDouble()).isEqualTo(0.05);

    var put =
        http.send(
            "PUT",
            "/v1/datasets/support/promotion-policy",
            "{\"mode\": \"manual\", \"min_golden_delta\": 0.02}",
            "application/json",
            ACME);

    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(json(put).get("mode").asText()).isEqualTo("manual");
    assertThat(json(put).get("min_golden_delta").asDouble()).isEqualTo(0.02);
    assertThat(json(put).get("max_eval_loss_regression").asDouble()).isEqualTo(0.05);
    var sent = (SetPromotionPolicyRequest) upstreams.registryRequests.getLast();
    assertThat(sent.getDataset()).isEqualTo("support");
    // an unset field stays unset (the trainer's default), not 0
    assertThat(sent.getPolicy().hasMaxEvalLossRegression()).isFalse();
    assertThat(sent.getPolicy().hasMaxDrift()).isFalse();
    assertThat(json(http.get("/v1/datasets/support/promotion-policy", ACME))).isEqualTo(json(put));
    assertThat(json(http.get("/v1/datasets/support/promotion-policy", GLOBEX)).get("mode").asText())
        .isEqualTo("auto");
    assertThat(upstreams.registryTenants).containsExactly("acme", "acme", "acme", "globex");
  }

  @Test
  void aPolicyWithAnUnknownModeAValueOutOfRangeOrAnUnknownFieldIsRefusedByName() throws Exception {
    Map<String, String> bodies =
        Map.of(
            "{\"mode\": \"sideways\"}", "mode",
            "{\"max_drift\": 2}", "max_drift",
            "{\"max_eval_loss_regression\": -0.1}", "max_eval_loss_regression",
            "{\"min_golden_delta\": \"a lot\"}", "min_golden_delta",
            "{\"max_drfit\": 0.5}", "max_drfit");
    for (var body : bodies.entrySet()) {
      var response =
          http.send(
              "PUT",
              "/v1/datasets/support/promotion-policy",
              body.getKey(),
              "application/json",
              ACME);

      assertThat(response.statusCode()).as(body.getKey()).isEqualTo(400);
      assertThat(json(response).at("/error/param").asText()).isEqualTo(body.getValue());
    }
    assertThat(upstreams.registryRequests).isEmpty();
  }
}
