package dev.tuneloop.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The main job on the local default, driven through the gateway's HTTP API exactly as a user would:
 * submit the sample conversations, watch curation decide, watch the retrain policy start a LoRA job
 * and the trainer run it, then ask the base model and the freshly served adapter the same question.
 */
final class Demo {
  static final String TENANT = "demo";
  static final String DATASET = "foobear";
  static final String API_KEY = "demo-key";
  static final String QUESTION = "What is a foobear?";

  /**
   * What the demo configures on top of the defaults: its API key and a retrain threshold the sample
   * set reaches.
   */
  static Map<String, String> properties() {
    String dataset = "curation.datasets." + TENANT + "/" + DATASET;
    return Map.of(
        "tuneloop.gateway.auth.api-keys",
        API_KEY + ":" + TENANT,
        dataset + ".retrain.min-new",
        "100",
        dataset + ".retrain.min-total",
        "100",
        dataset + ".training.target-modules",
        "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
        dataset + ".training.micro-batch-size",
        "16",
        dataset + ".training.max-steps",
        "200",
        dataset + ".training.learning-rate",
        "0.01");
  }

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI gateway;
  private final PrintStream out;

  Demo(URI gateway, PrintStream out) {
    this.gateway = gateway;
    this.out = out;
  }

  /** Runs every step; throws with a message saying which step failed and why. */
  void run(Path samples, Duration timeout) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    ArrayNode records = readJsonLines(samples);
    out.printf(
        "demo: 1/4 submitting %d conversations from %s to dataset %s/%s%n",
        records.size(), samples, TENANT, DATASET);
    JsonNode summary = call("POST", "/v1/datasets/" + DATASET + "/examples", records.toString());
    out.println("demo:     ingest acknowledged: " + summary);

    out.println("demo: 2/4 waiting for curation");
    JsonNode stats = awaitCurated(records.size(), deadline);
    out.printf(
        "demo:     curated %d, rejected %d %s%n",
        stats.path("curated").asLong(),
        stats.path("rejected").asLong(),
        stats.path("rejected_by_reason"));

    out.println("demo: 3/4 waiting for the retrain policy to start a LoRA job, then following it");
    JsonNode job = awaitTrainedJob(deadline);
    JsonNode latest = job.path("latest");
    JsonNode adapter = latest.path("adapter");
    String name = adapter.path("name").asText();
    out.println(
        "demo:     published adapter "
            + name
            + "@"
            + adapter.path("version").asText()
            + " at "
            + adapter.path("location").asText());
    JsonNode decision = latest.path("eval").path("decision");
    out.println(
        "demo:     evaluation: "
            + (decision.path("promote").asBoolean() ? "promoted to production; " : "NOT promoted; ")
            + decision.path("reason").asText());
    if (!decision.path("promote").asBoolean()) {
      throw new IllegalStateException(
          "the promotion gate kept "
              + name
              + " out of production: "
              + decision.path("reason").asText());
    }

    out.println("demo: 4/4 asking the base model and the adapter: \"" + QUESTION + "\"");
    awaitServed(name, deadline);
    out.println("demo:     base:    " + ask("base"));
    out.println("demo:     adapter: " + ask(name));
  }

  private JsonNode awaitCurated(int submitted, Instant deadline)
      throws IOException, InterruptedException {
    while (true) {
      JsonNode stats = call("GET", "/v1/datasets/" + DATASET + "/stats", null);
      if (stats.path("curated").asLong() + stats.path("rejected").asLong() >= submitted)
        return stats;
      pause(deadline, "curation to decide on " + submitted + " records (so far " + stats + ")");
    }
  }

  private JsonNode awaitTrainedJob(Instant deadline) throws IOException, InterruptedException {
    String lastLine = "";
    Set<String> warned = new HashSet<>();
    while (true) {
      for (JsonNode job : call("GET", "/v1/jobs", null).path("jobs")) {
        JsonNode latest = job.path("latest");
        if (!latest.path("adapter_name").asText().equals(DATASET))
          continue; // the retrain policy names it after the dataset
        String state = latest.path("state").asText();
        String line = progressLine(latest);
        if (!line.equals(lastLine)) {
          out.println("demo:     " + line);
          lastLine = line;
        }
        for (JsonNode warning : latest.path("warnings")) {
          if (warned.add(warning.asText())) out.println("demo:     warning: " + warning.asText());
        }
        switch (state) {
          case "SUCCEEDED" -> {
            return job;
          }
          case "FAILED", "CANCELLED" ->
              throw new IllegalStateException(
                  "training " + state + ": " + latest.path("error").asText());
          default -> {}
        }
      }
      pause(deadline, "a training job to finish");
    }
  }

  private static String progressLine(JsonNode event) {
    StringBuilder line =
        new StringBuilder("job for ")
            .append(event.path("adapter_name").asText())
            .append(": ")
            .append(event.path("state").asText());
    if (event.has("step")) {
      line.append(
          String.format(
              " step %s/%s loss %.3f",
              event.path("step").asText(),
              event.path("total_steps").asText(),
              event.path("loss").asDouble()));
    }
    if (event.has("eval_loss"))
      line.append(String.format(" eval loss %.3f", event.path("eval_loss").asDouble()));
    if (event.has("tokens_per_second"))
      line.append(String.format(" %.0f tokens/s", event.path("tokens_per_second").asDouble()));
    return line.toString();
  }

  private void awaitServed(String model, Instant deadline)
      throws IOException, InterruptedException {
    while (true) {
      for (JsonNode m : call("GET", "/v1/models", null).path("data")) {
        if (model.equals(m.path("id").asText())) return;
      }
      pause(deadline, "inference to serve the production version of " + model);
    }
  }

  private String ask(String model) throws IOException, InterruptedException {
    ObjectNode body = json.createObjectNode().put("model", model).put("max_tokens", 80);
    body.putArray("messages").addObject().put("role", "user").put("content", QUESTION);
    JsonNode reply = call("POST", "/v1/chat/completions", body.toString());
    return reply.path("choices").path(0).path("message").path("content").asText().strip();
  }

  private JsonNode call(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(gateway.resolve(path))
            .timeout(Duration.ofMinutes(2))
            .header("Authorization", "Bearer " + API_KEY)
            .header("Content-Type", "application/json");
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return json.readTree(response.body());
  }

  private ArrayNode readJsonLines(Path file) throws IOException {
    ArrayNode records = json.createArrayNode();
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      try {
        records.add(json.readTree(lines.get(i)));
      } catch (IOException e) {
        throw new IOException(file + " line " + (i + 1) + " is not JSON: " + e.getMessage(), e);
      }
    }
    return records;
  }

  private static void pause(Instant deadline, String waitingFor) throws InterruptedException {
    if (Instant.now().isAfter(deadline))
      throw new IllegalStateException("timed out waiting for " + waitingFor);
    Thread.sleep(1000);
  }
}
