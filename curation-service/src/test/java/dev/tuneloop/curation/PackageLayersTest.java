package dev.tuneloop.curation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The pipeline package wires everything together, so nothing below it may import it: retrain,
 * replay, stats and grpc are used by the pipeline or beside it, never the other way round. Rules
 * use the dataset memory, never the other way round, and text helpers sit below both. Read from the
 * sources (the test runs in the module directory).
 */
class PackageLayersTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/tuneloop/curation");

  @Test
  void packagesBelowThePipelineDoNotImportIt() throws IOException {
    for (String lower : List.of("retrain", "replay", "stats", "grpc")) {
      assertThat(importsOf(lower))
          .as("imports of curation.%s", lower)
          .noneMatch(i -> i.startsWith("import dev.tuneloop.curation.pipeline."));
    }
  }

  @Test
  void theMemoryAndTheTextHelpersDoNotImportTheRules() throws IOException {
    for (String lower : List.of("memory", "text")) {
      assertThat(importsOf(lower))
          .as("imports of curation.%s", lower)
          .noneMatch(i -> i.startsWith("import dev.tuneloop.curation.rules."));
    }
  }

  private static List<String> importsOf(String pkg) throws IOException {
    Path dir = SOURCES.resolve(pkg);
    assertThat(dir).isDirectory();
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.toString().endsWith(".java"))
          .flatMap(PackageLayersTest::lines)
          .filter(l -> l.startsWith("import "))
          .toList();
    }
  }

  private static Stream<String> lines(Path file) {
    try {
      return Files.readAllLines(file).stream();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
