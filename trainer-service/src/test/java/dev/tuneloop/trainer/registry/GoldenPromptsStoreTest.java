package dev.tuneloop.trainer.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.proto.v1.GoldenPrompt;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

@WithInfra
class GoldenPromptsStoreTest {

  private static GoldenPrompt prompt(String prompt, String expected) {
    return GoldenPrompt.newBuilder().setPrompt(prompt).setExpected(expected).build();
  }

  @Test
  void promptsAreAppendedOrReplacedAsJsonLines(Infra infra) {
    ObjectStore store = infra.objectStore();
    var golden = new GoldenPromptsStore(store, 1000, 4096);
    assertThat(golden.get("acme", "support")).isEmpty();

    assertThat(
            golden.put("acme", "support", List.of(prompt("What is a foobear?", "A bear.")), false))
        .isEqualTo(1);
    assertThat(golden.put("acme", "support", List.of(prompt("Say \"hi\"\n", "hi")), false))
        .isEqualTo(2);
    assertThat(golden.get("acme", "support"))
        .containsExactly(prompt("What is a foobear?", "A bear."), prompt("Say \"hi\"\n", "hi"));
    assertThat(new String(store.get("datasets/acme/support/golden.jsonl"), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"prompt\":\"What is a foobear?\",\"expected\":\"A bear.\"}\n"
                + "{\"prompt\":\"Say \\\"hi\\\"\\n\",\"expected\":\"hi\"}\n");

    assertThat(golden.put("acme", "support", List.of(prompt("Only?", "yes")), true)).isEqualTo(1);
    assertThat(golden.get("acme", "support")).containsExactly(prompt("Only?", "yes"));
    assertThat(golden.get("globex", "support")).isEmpty();
  }

  @Test
  void emptyAndOversizedFieldsAreRefusedNamingThePromptAndTheSetting(Infra infra) {
    var golden = new GoldenPromptsStore(infra.objectStore(), 1000, 16);
    assertThatThrownBy(
            () ->
                golden.put(
                    "acme",
                    "bad",
                    List.of(prompt("ok", "ok"), prompt(" ", "x"), prompt("x", "é".repeat(9))),
                    false))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("prompts[1].prompt: is required")
        .hasMessageContaining(
            "prompts[2].expected: is 18 bytes; the limit is 16"
                + " (setting trainer.registry.max-golden-field-bytes)");
    assertThat(golden.get("acme", "bad")).isEmpty(); // nothing stored
  }

  @Test
  void moreThanTheLimitIsRefusedNamingTheSetting(Infra infra) {
    var golden = new GoldenPromptsStore(infra.objectStore(), 2, 4096);
    golden.put("acme", "full", List.of(prompt("a", "a"), prompt("b", "b")), false);
    assertThatThrownBy(() -> golden.put("acme", "full", List.of(prompt("c", "c")), false))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("would have 3 golden prompts; the limit is 2")
        .hasMessageContaining("trainer.registry.max-golden-prompts");
    assertThat(golden.put("acme", "full", List.of(prompt("c", "c")), true)).isEqualTo(1);
  }
}
