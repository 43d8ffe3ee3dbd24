package dev.tuneloop.inference.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.proto.v1.AdapterPublished;
import org.junit.jupiter.api.Test;

class AdapterCatalogTest {

  static AdapterPublished published(String tenant, String name, String version) {
    return AdapterPublished.newBuilder()
        .setTenant(tenant)
        .setName(name)
        .setVersion(version)
        .setLocation("adapters/" + tenant + "/" + name + "/" + version + "/")
        .build();
  }

  @Test
  void nameResolvesToTheLatestPublishedVersionAndNameAtVersionToThatOne() {
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(published("acme", "support", "v1"))
            .with(published("acme", "support", "v2"));

    assertThat(catalog.resolve("acme", AdapterRef.parse("support")).getVersion()).isEqualTo("v2");
    assertThat(catalog.resolve("acme", AdapterRef.parse("support@v1")).getVersion())
        .isEqualTo("v1");
  }

  @Test
  void republishingAVersionMakesItTheNewestAgain() {
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(published("acme", "support", "v1"))
            .with(published("acme", "support", "v2"))
            .with(published("acme", "support", "v1"));

    assertThat(catalog.resolve("acme", AdapterRef.parse("support")).getVersion()).isEqualTo("v1");
    assertThat(catalog.newest("acme")).hasSize(1);
  }

  @Test
  void unknownNameOrVersionSaysWhatExists() {
    AdapterCatalog catalog = AdapterCatalog.EMPTY.with(published("acme", "support", "v1"));

    assertThatThrownBy(() -> catalog.resolve("acme", AdapterRef.parse("sales")))
        .isInstanceOf(AdapterNotFoundException.class)
        .hasMessageContaining("unknown adapter \"sales\"")
        .hasMessageContaining("[support]");
    assertThatThrownBy(() -> catalog.resolve("acme", AdapterRef.parse("support@v9")))
        .isInstanceOf(AdapterNotFoundException.class)
        .hasMessageContaining("no version \"v9\"")
        .hasMessageContaining("[v1]");
  }

  @Test
  void tenantsDoNotSeeEachOthersAdaptersAndBlankTenantIsDefault() {
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(published("acme", "support", "v1"))
            .with(published("", "shared", "v1"));

    assertThatThrownBy(() -> catalog.resolve("globex", AdapterRef.parse("support")))
        .isInstanceOf(AdapterNotFoundException.class);
    assertThat(catalog.resolve("default", AdapterRef.parse("shared")).getVersion()).isEqualTo("v1");
    assertThat(catalog.newest("acme"))
        .extracting(AdapterPublished::getName)
        .containsExactly("support");
    assertThat(catalog.newest(null)).hasSize(2);
  }

  @Test
  void referencesParseBaseNameAndPinnedVersion() {
    assertThat(AdapterRef.parse("").isBase()).isTrue();
    assertThat(AdapterRef.parse("  ")).isEqualTo(AdapterRef.BASE);
    assertThat(AdapterRef.parse("support")).isEqualTo(new AdapterRef("support", null));
    assertThat(AdapterRef.parse("support@2026-01-01"))
        .isEqualTo(new AdapterRef("support", "2026-01-01"));
    assertThatThrownBy(() -> AdapterRef.parse("support@"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name@version");
  }
}
