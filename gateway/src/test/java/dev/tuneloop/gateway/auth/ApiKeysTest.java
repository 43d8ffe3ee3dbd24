package dev.tuneloop.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  @Test
  void mapsEachKeyToItsTenant() {
    ApiKeys keys = ApiKeys.parse(List.of("sk-acme-1:acme", "sk-globex:globex"));

    assertThat(keys.tenantOf("sk-acme-1")).contains("acme");
    assertThat(keys.tenantOf("sk-globex")).contains("globex");
    assertThat(keys.tenantOf("sk-acme")).isEmpty();
  }

  @Test
  void malformedOrRepeatedEntriesAreRefusedWithoutEchoingTheKey() {
    assertThatThrownBy(() -> ApiKeys.parse(List.of("secret-without-tenant")))
        .hasMessageContaining("api-keys[0]")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> ApiKeys.parse(List.of("k:a", "k:b")))
        .hasMessageContaining("api-keys[1] repeats a key");
  }
}
