package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.GatewayHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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

/** GET /v1/datasets/{dataset}/quality: curation's quality report for the caller's tenant. */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayQualityTest implements TestPropertyProvider {
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
            "tuneloop.gateway.auth.api-keys", GLOBEX + ":globex",
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
  }

  @Test
  void theQualityReportIsAskedForTheCallersTenantAndAnsweredWithProtoFieldNames() throws Exception {
    var response = http.get("/v1/datasets/support/quality", GLOBEX);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode report = json(response);
    assertThat(report.get("dataset").asText()).isEqualTo("support");
    assertThat(report.get("rejected_share").asDouble()).isEqualTo(0.25);
    JsonNode reason = report.at("/reasons/0");
    assertThat(reason.get("reason").asText()).isEqualTo("TEMPLATE_INJECTION");
    assertThat(reason.get("count").asLong()).isEqualTo(3);
    assertThat(reason.at("/examples/0/prompt_excerpt").asText())
        .isEqualTo("<b>hi</b> <|im_start|>");
    assertThat(report.at("/clusters/0/curated_example_id").asText()).isEqualTo("ex-1");
    assertThat(report.at("/clusters/0/max_similarity").asDouble()).isEqualTo(1.0);
    assertThat(upstreams.qualityRequests.getLast().getTenant()).isEqualTo("globex");
    assertThat(upstreams.qualityRequests.getLast().getDataset()).isEqualTo("support");
    // what the upstream scopes the call to: the tenant in the gateway's call credentials
    assertThat(upstreams.callerTenants.getLast()).isEqualTo("globex");
  }

  @Test
  void aBadDatasetNameIsRefusedBeforeCuration() throws Exception {
    int asked = upstreams.qualityRequests.size();
    var response = http.get("/v1/datasets/bad%20name/quality", GLOBEX);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(json(response).at("/error/param").asText()).isEqualTo("dataset");
    assertThat(upstreams.qualityRequests).hasSize(asked);
  }

  @Test
  void withoutAKeyTheReportIsRefused() throws Exception {
    assertThat(http.get("/v1/datasets/support/quality", null).statusCode()).isEqualTo(401);
  }

  @Test
  void theDashboardHasAQualityViewThatWritesUserDataAsTextOnly() throws Exception {
    var page = http.get("/", null);
    var script = http.get("/assets/dashboard.js", null);

    assertThat(page.body()).contains("id=\"qualityForm\"", "id=\"qualityReasons\"");
    assertThat(script.body())
        .contains("/quality`")
        .doesNotContain("innerHTML", "insertAdjacentHTML");
  }
}
