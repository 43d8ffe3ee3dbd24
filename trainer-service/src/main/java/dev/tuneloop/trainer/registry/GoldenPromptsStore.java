package dev.tuneloop.trainer.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.GoldenPrompt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset's golden prompts: {@code datasets/{tenant}/{dataset}/golden.jsonl}, one {@code
 * {"prompt": "...", "expected": "..."}} per line, the answers every version is scored on.
 */
public final class GoldenPromptsStore {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectStore store;
  private final int maxPrompts;
  private final int maxFieldBytes;

  /**
   * @param maxPrompts {@code trainer.registry.max-golden-prompts}
   * @param maxFieldBytes {@code trainer.registry.max-golden-field-bytes}
   */
  public GoldenPromptsStore(ObjectStore store, int maxPrompts, int maxFieldBytes) {
    this.store = store;
    this.maxPrompts = maxPrompts;
    this.maxFieldBytes = maxFieldBytes;
  }

  public static String key(String tenant, String dataset) {
    return "datasets/" + tenant + "/" + dataset + "/golden.jsonl";
  }

  /** The dataset's golden prompts in file order; none when it has no file. */
  public List<GoldenPrompt> get(String tenant, String dataset) {
    String key = key(tenant, dataset);
    if (!store.exists(key)) {
      return List.of();
    }
    String[] lines = new String(store.get(key), StandardCharsets.UTF_8).split("\n");
    List<GoldenPrompt> prompts = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      try {
        JsonNode line = JSON.readTree(lines[i]);
        prompts.add(
            GoldenPrompt.newBuilder()
                .setPrompt(line.path("prompt").asText(""))
                .setExpected(line.path("expected").asText(""))
                .build());
      } catch (IOException e) {
        throw new IllegalStateException(
            "golden prompts of dataset '" + dataset + "', line " + (i + 1) + ": not JSON", e);
      }
    }
    return prompts;
  }

  /**
   * Adds {@code prompts} after the stored ones, or with {@code replace} stores only them; returns
   * how many the dataset has now.
   *
   * @throws RegistryException INVALID naming each bad prompt (by its index in the request) and the
   *     setting of a limit it breaks; nothing is stored then
   */
  public int put(String tenant, String dataset, List<GoldenPrompt> prompts, boolean replace) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < prompts.size() && problems.size() < 10; i++) {
      field(problems, i, "prompt", prompts.get(i).getPrompt());
      field(problems, i, "expected", prompts.get(i).getExpected());
    }
    if (!problems.isEmpty()) {
      throw new RegistryException(
          RegistryException.Kind.INVALID, "invalid golden prompts: " + String.join("; ", problems));
    }
    List<GoldenPrompt> all = new ArrayList<>(replace ? List.of() : get(tenant, dataset));
    all.addAll(prompts);
    if (all.size() > maxPrompts) {
      throw new RegistryException(
          RegistryException.Kind.INVALID,
          "dataset '"
              + dataset
              + "' would have "
              + all.size()
              + " golden prompts; the limit is "
              + maxPrompts
              + " (setting trainer.registry.max-golden-prompts)"
              + (replace ? "" : "; replace them instead of adding"));
    }
    var out = new ByteArrayOutputStream();
    try {
      for (GoldenPrompt p : all) {
        ObjectNode line = JSON.createObjectNode();
        line.put("prompt", p.getPrompt());
        line.put("expected", p.getExpected());
        out.write(JSON.writeValueAsBytes(line));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    store.put(key(tenant, dataset), out.toByteArray(), "application/x-ndjson");
    return all.size();
  }

  private void field(List<String> problems, int index, String field, String value) {
    String name = "prompts[" + index + "]." + field;
    if (value.isBlank()) {
      problems.add(name + ": is required");
      return;
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxFieldBytes) {
      problems.add(
          name
              + ": is "
              + bytes
              + " bytes; the limit is "
              + maxFieldBytes
              + " (setting trainer.registry.max-golden-field-bytes)");
    }
  }
}
