package dev.tuneloop.llm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LlmCliTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = LlmCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void generateStreamsGreedyTextAndReportsUsage() {
    int code =
        run("generate", "--prompt", "Once upon a time", "--temperature", "0", "--max-tokens", "6");

    assertThat(code).isZero();
    assertThat(out.toString()).startsWith("Once upon a time").doesNotContain("error");
    assertThat(out.toString().strip().length()).isGreaterThan("Once upon a time".length());
    assertThat(err.toString()).contains("LENGTH").contains("+ 6 generated tokens");
  }

  @Test
  void chatModeRendersTheTemplateAndReplies() {
    int code =
        run(
            "generate",
            "--chat",
            "--prompt",
            "Tell me a story.",
            "--seed",
            "3",
            "--max-tokens",
            "20");

    assertThat(code).isZero();
    assertThat(err.toString()).contains("generated tokens");
  }

  @Test
  void missingModelFailsWithAMessageNamingThePath() {
    int code = run("generate", "--model", dir.resolve("nope.bin").toString(), "--prompt", "x");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .contains("error: ")
        .contains("nope.bin")
        .contains("no such model file or directory");
  }

  @Test
  void exportHfWritesADirectoryThatGenerateLoads() throws Exception {
    Path bin = dir.resolve("stories260K.bin");
    Path tok = dir.resolve("tok512.bin");
    Files.write(bin, dev.tuneloop.llm.checkpoint.BuiltinModels.resource("stories260K.bin"));
    Files.write(tok, dev.tuneloop.llm.checkpoint.BuiltinModels.resource("tok512.bin"));

    assertThat(
            run(
                "export-hf",
                "--checkpoint",
                bin.toString(),
                "--tokenizer",
                tok.toString(),
                "--out",
                dir.resolve("hf").toString(),
                "--dtype",
                "BF16"))
        .isZero();
    assertThat(
            run(
                "generate",
                "--model",
                dir.resolve("hf").toString(),
                "--temperature",
                "0",
                "--max-tokens",
                "4"))
        .isZero();
    assertThat(out.toString()).startsWith("Once upon a time");
  }
}
