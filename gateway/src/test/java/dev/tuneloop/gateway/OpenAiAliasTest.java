package dev.tuneloop.gateway;

import static dev.tuneloop.gateway.GatewayHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tuneloop.proto.v1.AdapterInfo;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.ListAdaptersResponse;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Aliases through the OpenAI API, against a recording inference double that resolves them: the
 * model string reaches inference unchanged, the answer keeps it as {@code model} and names the
 * version that answered, and the model list shows the aliases a client can use.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiAliasTest implements TestPropertyProvider {
  private static final String KEY = "sk-acme";
  private static final String V1 = "1111aaaa2222bbbb";
  private static final String V2 = "3333cccc4444dddd";
  private static final String V3 = "5555eeee6666ffff";

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
            "tuneloop.gateway.auth.api-keys", KEY + ":acme",
            "micronaut.server.port", "-1",
            "grpc.server.port", "${random.port}"));
  }

  @AfterAll
  void stop() {
    upstreams.close();
  }

  /**
   * foobear: v1 in production, v2 the candidate (one entry per version, as inference lists them);
   * draft: v3, a candidate only, no production version yet.
   */
  @BeforeEach
  void adapters() {
    http = new GatewayHttp(server.getURL());
    upstreams.chats.clear();
    Map<String, String> foobear = Map.of("production", V1, "candidate", V2);
    upstreams.adapterList.set(
        ListAdaptersResponse.newBuilder()
            .addAdapters(info("foobear", V1, V1, foobear).setLoaded(true))
            .addAdapters(info("foobear", V2, V1, foobear))
            .addAdapters(info("draft", V3, "", Map.of("candidate", V3)))
            .addAdapters(info("legacy", V1, "", Map.of()))
            .build());
  }

  private static AdapterInfo.Builder info(
      String name, String version, String serving, Map<String, String> aliases) {
    return AdapterInfo.newBuilder()
        .setAdapter(
            AdapterPublished.newBuilder().setTenant("acme").setName(name).setVersion(version))
        .setServingVersion(serving)
        .putAllAliases(aliases);
  }

  private HttpResponse<String> chat(String model, boolean stream) throws Exception {
    return http.post(
        "/v1/chat/completions",
        """
            {"model": "%s", "stream": %s, "messages": [{"role": "user", "content": "Hi"}]}"""
            .formatted(model, stream),
        KEY);
  }

  @Test
  void aPlainNameAnAliasAndAVersionGoToInferenceUnchangedAndTheAnswerNamesTheVersion()
      throws Exception {
    var production = chat("foobear", false);
    var candidate = chat("foobear@candidate", false);
    var pinned = chat("foobear@" + V1, false);

    assertThat(upstreams.chats)
        .extracting(c -> c.getAdapter())
        .containsExactly("foobear", "foobear@candidate", "foobear@" + V1);
    assertThat(production.statusCode()).as(production.body()).isEqualTo(200);
    // model stays what the client sent (clients compare it); the version is the fingerprint
    assertThat(json(production).get("model").asText()).isEqualTo("foobear");
    assertThat(json(production).get("system_fingerprint").asText()).isEqualTo("tuneloop-" + V1);
    assertThat(production.headers().firstValue("x-tuneloop-adapter-version")).hasValue(V1);
    assertThat(production.headers().firstValue("x-tuneloop-adapter-alias")).hasValue("production");
    assertThat(json(candidate).get("model").asText()).isEqualTo("foobear@candidate");
    assertThat(json(candidate).get("system_fingerprint").asText()).isEqualTo("tuneloop-" + V2);
    assertThat(candidate.headers().firstValue("x-tuneloop-adapter-alias")).hasValue("candidate");
    assertThat(json(pinned).get("model").asText()).isEqualTo("foobear@" + V1);
    assertThat(pinned.headers().firstValue("x-tuneloop-adapter-version")).hasValue(V1);
    assertThat(pinned.headers().firstValue("x-tuneloop-adapter-alias")).isEmpty();
  }

  @Test
  void aStreamedAliasKeepsItsModelInEveryChunkAndNamesTheVersionInHeaderAndFingerprint()
      throws Exception {
    var response = chat("foobear@candidate", true);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-tuneloop-adapter-version")).hasValue(V2);
    assertThat(response.headers().firstValue("x-tuneloop-adapter-alias")).hasValue("candidate");
    List<JsonNode> chunks = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("data: {")) {
        chunks.add(GatewayHttp.JSON.readTree(line.substring("data: ".length())));
      }
    }
    assertThat(chunks).hasSize(2);
    assertThat(chunks).extracting(c -> c.get("model").asText()).containsOnly("foobear@candidate");
    assertThat(chunks)
        .extracting(c -> c.get("system_fingerprint").asText())
        .containsOnly("tuneloop-" + V2);
    assertThat(upstreams.chats.getLast().getAdapter()).isEqualTo("foobear@candidate");
  }

  @Test
  void modelsListsPlainNamesOnlyWithAProductionVersionAndTheOtherAliasesAndVersions()
      throws Exception {
    var response = http.get("/v1/models", KEY);

    assertThat(response.statusCode()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    json(response).get("data").forEach(m -> ids.add(m.get("id").asText()));
    assertThat(ids)
        .containsExactly(
            "base",
            "foobear",
            "foobear@candidate",
            "foobear@" + V1,
            "foobear@" + V2,
            "draft@candidate",
            "draft@" + V3,
            "legacy@" + V1);
  }

  @Test
  void retrievingAModelKnowsAliasesAndRefusesAPlainNameWithoutProduction() throws Exception {
    assertThat(http.get("/v1/models/foobear@candidate", KEY).statusCode()).isEqualTo(200);
    assertThat(http.get("/v1/models/foobear@production", KEY).statusCode()).isEqualTo(200);
    assertThat(http.get("/v1/models/draft@candidate", KEY).statusCode()).isEqualTo(200);
    var draft = http.get("/v1/models/draft", KEY);
    assertThat(draft.statusCode()).isEqualTo(404);
    assertThat(json(draft).at("/error/param").asText()).isEqualTo("model");
    assertThat(http.get("/v1/models/draft@production", KEY).statusCode()).isEqualTo(404);
  }

  @Test
  void theAdapterListShowsAliasesAndTheServingVersionAlwaysPrintingTheAliasMap() throws Exception {
    var response = http.get("/v1/adapters", KEY);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode adapters = json(response).get("adapters");
    assertThat(adapters.at("/0/serving_version").asText()).isEqualTo(V1);
    assertThat(adapters.at("/0/aliases/candidate").asText()).isEqualTo(V2);
    assertThat(adapters.at("/0/loaded").asBoolean()).isTrue();
    assertThat(adapters.at("/3/aliases").isObject()).isTrue();
    assertThat(adapters.at("/3/aliases")).isEmpty();
    assertThat(upstreams.callerTenants.getLast()).isEqualTo("acme");
  }
}
