package dev.tuneloop.inference.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.inference.TestAliases;
import dev.tuneloop.proto.v1.AdapterPublished;
import java.util.Map;
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

  private static String version(AdapterCatalog catalog, String tenant, String reference) {
    return catalog.resolve(tenant, AdapterRef.parse(reference)).published().getVersion();
  }

  @Test
  void nameIsProductionNameAtAliasThatAliasAndNameAtVersionThatVersion() {
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(published("acme", "support", "v1"))
            .with(published("acme", "support", "v2"))
            .with(published("acme", "support", "v3"))
            .withAliases(
                TestAliases.state(
                    "acme",
                    "support",
                    1,
                    Map.of(
                        "production", published("acme", "support", "v1"),
                        "candidate", published("acme", "support", "v2"))));

    var plain = catalog.resolve("acme", AdapterRef.parse("support"));
    assertThat(plain.published().getVersion()).isEqualTo("v1");
    assertThat(plain.alias()).isEqualTo("production");
    var candidate = catalog.resolve("acme", AdapterRef.parse("support@candidate"));
    assertThat(candidate.published().getVersion()).isEqualTo("v2");
    assertThat(candidate.alias()).isEqualTo("candidate");
    assertThat(version(catalog, "acme", "support@production")).isEqualTo("v1");
    var pinned = catalog.resolve("acme", AdapterRef.parse("support@v3"));
    assertThat(pinned.published().getVersion()).isEqualTo("v3");
    assertThat(pinned.alias()).isEmpty();
  }

  @Test
  void aPlainNameWithoutProductionSaysWhatCanBePinnedAndHowToPromote() {
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(published("acme", "support", "v1"))
            .with(published("acme", "support", "v2"))
            .withAliases(
                TestAliases.state(
                    "acme", "support", 1, Map.of("candidate", published("acme", "support", "v2"))));

    assertThatThrownBy(() -> catalog.resolve("acme", AdapterRef.parse("support")))
        .isInstanceOf(AdapterNotFoundException.class)
        .hasMessage(
            "adapter \"support\" has no production version yet; pin one of support@candidate"
                + " (v2), support@v1, support@v2, or promote a version with POST"
                + " /v1/adapters/support/promote");
    assertThat(version(catalog, "acme", "support@v1")).isEqualTo("v1");
  }

  @Test
  void anAliasTargetNotReadFromThePublishedTopicIsServedFromTheAliasRecord() {
    AdapterPublished v2 = published("acme", "support", "v2");
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(published("acme", "support", "v1"))
            .withAliases(TestAliases.production(v2, 1));

    assertThat(catalog.resolve("acme", AdapterRef.parse("support")).published()).isEqualTo(v2);
    assertThat(version(catalog, "acme", "support@v2")).isEqualTo("v2");
    assertThat(catalog.list("acme").getFirst().shown()).isEqualTo(v2);
    // known only through an alias record, the adapter is still served
    assertThat(
            version(
                AdapterCatalog.EMPTY.withAliases(
                    TestAliases.production(published("acme", "fresh", "v9"), 1)),
                "acme",
                "fresh"))
        .isEqualTo("v9");
  }

  @Test
  void anOlderAliasStateThanTheOneHeldIsIgnored() {
    AdapterPublished v1 = published("acme", "support", "v1");
    AdapterPublished v2 = published("acme", "support", "v2");
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(v1)
            .with(v2)
            .withAliases(TestAliases.production(v2, 2))
            .withAliases(TestAliases.production(v1, 1)); // a replay from the beginning

    assertThat(version(catalog, "acme", "support")).isEqualTo("v2");
    assertThat(version(catalog.withAliases(TestAliases.production(v1, 3)), "acme", "support"))
        .isEqualTo("v1");
  }

  @Test
  void theListingShowsProductionElseTheNewestWithTheAliases() {
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(published("acme", "support", "v1"))
            .with(published("acme", "support", "v2"))
            .with(published("acme", "sales", "v1"))
            .with(published("acme", "sales", "v2"))
            .withAliases(TestAliases.production(published("acme", "support", "v1"), 1));

    var rows = catalog.list("acme");
    assertThat(rows).extracting(r -> r.shown().getName()).containsExactly("sales", "support");
    assertThat(rows.get(0).shown().getVersion()).isEqualTo("v2");
    assertThat(rows.get(0).production()).isEmpty();
    assertThat(rows.get(0).aliases()).isEmpty();
    assertThat(rows.get(1).shown().getVersion()).isEqualTo("v1");
    assertThat(rows.get(1).production()).isEqualTo("v1");
    assertThat(rows.get(1).aliases()).containsExactly(Map.entry("production", "v1"));
  }

  @Test
  void republishingAVersionMakesItTheNewestAgain() {
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(published("acme", "support", "v1"))
            .with(published("acme", "support", "v2"))
            .with(published("acme", "support", "v1"));

    assertThat(catalog.list("acme")).hasSize(1);
    assertThat(catalog.list("acme").getFirst().shown().getVersion()).isEqualTo("v1");
  }

  @Test
  void unknownNameAliasOrVersionSaysWhatExists() {
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(published("acme", "support", "v1"))
            .withAliases(TestAliases.production(published("acme", "support", "v1"), 1));

    assertThatThrownBy(() -> catalog.resolve("acme", AdapterRef.parse("sales")))
        .isInstanceOf(AdapterNotFoundException.class)
        .hasMessageContaining("unknown adapter \"sales\"")
        .hasMessageContaining("[support]");
    assertThatThrownBy(() -> catalog.resolve("acme", AdapterRef.parse("support@v9")))
        .isInstanceOf(AdapterNotFoundException.class)
        .hasMessageContaining("no alias or version \"v9\"")
        .hasMessageContaining("support@production (v1), support@v1");
  }

  @Test
  void tenantsDoNotSeeEachOthersAdaptersAndBlankTenantIsDefault() {
    AdapterCatalog catalog =
        AdapterCatalog.EMPTY
            .with(published("acme", "support", "v1"))
            .with(published("", "shared", "v1"))
            .withAliases(TestAliases.production(published("acme", "support", "v1"), 1))
            .withAliases(TestAliases.production(published("", "shared", "v1"), 1));

    assertThatThrownBy(() -> catalog.resolve("globex", AdapterRef.parse("support")))
        .isInstanceOf(AdapterNotFoundException.class);
    assertThat(version(catalog, "default", "shared")).isEqualTo("v1");
    assertThat(catalog.list("acme"))
        .extracting(r -> r.shown().getName())
        .containsExactly("support");
    assertThat(catalog.list(null)).hasSize(2);
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
