package dev.tuneloop.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.gateway.upstream.UpstreamConfig;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.servicekit.auth.AuthConfiguration;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway refuses to start with credentials a deployment must never run with. */
class GatewayAuthStartupTest {

  private static AuthConfig keys(List<String> apiKeys, boolean allowDevKey) {
    return new AuthConfig(true, "default", apiKeys, null, allowDevKey);
  }

  @Test
  void developmentKeyIsRefusedUnlessTheLocalDefaultAllowsIt() {
    assertThatThrownBy(() -> new ApiKeyFilter(keys(List.of("sk-1:acme", "dev-key:default"), false)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("dev-key")
        .hasMessageContaining("openssl rand -hex 32")
        .hasMessageContaining("tuneloop.gateway.auth.allow-dev-key");
    assertThat(new ApiKeyFilter(keys(List.of("dev-key:default"), true))).isNotNull();
    assertThat(new ApiKeyFilter(keys(List.of("sk-1:acme"), false))).isNotNull();
  }

  private static Map<String, Object> startable(Map<String, Object> extra) {
    Map<String, Object> props = new HashMap<>(extra);
    props.put("micronaut.server.port", -1);
    props.put("grpc.server.port", "${random.port}");
    props.put("tuneloop.inference.enabled", false); // the inference module is a test library here
    props.put("tuneloop.auth.service-tokens", "t0k3n:gateway");
    return props;
  }

  @Test
  void shippedConfigurationHasNoKeyAndTheGatewayDoesNotStartWithoutOne() {
    assertThatThrownBy(
            () ->
                ApplicationContext.run(
                    EmbeddedServer.class,
                    startable(Map.of("tuneloop.gateway.upstreams.service-token", "t0k3n"))))
        .hasStackTraceContaining("tuneloop.gateway.auth.api-keys (env GATEWAY_API_KEYS) is empty");
  }

  @Test
  void gatewayWithTheDevelopmentKeyDoesNotStartUnlessAllowed() {
    Map<String, Object> devKey =
        Map.of(
            "tuneloop.gateway.upstreams.service-token", "t0k3n",
            "tuneloop.gateway.auth.api-keys", "dev-key:default");
    assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, startable(devKey)))
        .hasStackTraceContaining("holds the development key");
    Map<String, Object> allowed = new HashMap<>(devKey);
    allowed.put("tuneloop.gateway.auth.allow-dev-key", true);
    try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, startable(allowed))) {
      assertThat(server.isRunning()).isTrue();
    }
  }

  @Test
  void gatewayWithoutAServiceTokenDoesNotStart() {
    assertThatThrownBy(
            () ->
                ApplicationContext.run(
                    EmbeddedServer.class,
                    startable(Map.of("tuneloop.gateway.auth.api-keys", "sk-1:acme"))))
        .hasStackTraceContaining("tuneloop.gateway.upstreams.service-token");
  }

  @Test
  void upstreamsWithoutAServiceTokenAreRefusedWhileAuthIsOn() {
    var config =
        new UpstreamConfig(
            "",
            "localhost:1",
            "localhost:1",
            "localhost:1",
            "localhost:1",
            Duration.ofSeconds(1),
            Duration.ofSeconds(1));
    assertThatThrownBy(
            () ->
                new Upstreams(config, new AuthConfiguration(true, List.of(), List.of("t:gateway"))))
        .hasMessageContaining("tuneloop.gateway.upstreams.service-token")
        .hasMessageContaining("GATEWAY_SERVICE_TOKEN");
  }
}
