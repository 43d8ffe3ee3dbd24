package dev.tuneloop.llm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code llm generate ...} and {@code llm export-hf ...}: try a model from a terminal. */
@Command(
    name = "llm",
    mixinStandardHelpOptions = true,
    version = "tuneloop llm 0.1",
    description = "Run and convert Llama-family models with tuneloop's DJL-based engine.",
    subcommands = {GenerateCommand.class, ExportHfCommand.class})
public final class LlmCli {

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty(
          "logback.configurationFile", "llm-cli-logback.xml"); // before any logger starts
    }
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line, printing a failure's message (which names the file and problem) instead of a
   * stack trace.
   */
  public static CommandLine commandLine() {
    return new CommandLine(new LlmCli())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              cmd.getErr().println("error: " + e.getMessage());
              return 1;
            });
  }
}
