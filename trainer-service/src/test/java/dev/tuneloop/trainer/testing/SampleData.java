package dev.tuneloop.trainer.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.trainer.engine.ChatExamples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The project's sample dataset, samples/foobear.jsonl, as the tests read it. */
public final class SampleData {

  public static final Path FOOBEAR = Path.of("..", "samples", "foobear.jsonl");

  private SampleData() {}

  public record Pair(String prompt, String response) {}

  public static List<Pair> foobear() {
    try {
      var mapper = new ObjectMapper();
      var pairs = new ArrayList<Pair>();
      for (String line : Files.readAllLines(FOOBEAR)) {
        if (!line.isBlank()) {
          JsonNode node = mapper.readTree(line);
          pairs.add(new Pair(node.get("prompt").asText(), node.get("response").asText()));
        }
      }
      return pairs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<List<ChatMessage>> conversations(List<Pair> pairs) {
    return pairs.stream().map(p -> ChatExamples.pair(p.prompt(), p.response())).toList();
  }
}
