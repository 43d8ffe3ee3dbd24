package dev.tuneloop.local.crash;

import dev.tuneloop.platform.embedded.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka broker in a child JVM ({@link BrokerMain}) on a fixed log directory and port, so it can
 * be SIGKILLed and started again where it was: same data, same address for every client.
 */
final class BrokerProcess implements AutoCloseable {
  private final Path logDir;
  private final int port = FreePorts.next();
  private Process process;

  BrokerProcess(Path logDir) {
    this.logDir = logDir;
  }

  String bootstrapServers() {
    return "localhost:" + port;
  }

  /** Launches the broker and returns once it listens (at most two minutes). */
  void start() {
    if (process != null && process.isAlive()) throw new IllegalStateException("already running");
    List<String> command =
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-XX:+UseSerialGC",
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx512m",
            "-cp",
            System.getProperty("java.class.path"),
            BrokerMain.class.getName(),
            logDir.toString(),
            Integer.toString(port));
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot launch the broker", e);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Process current = process;
    Thread.ofVirtual()
        .start(
            () -> {
              try (var reader =
                  new BufferedReader(
                      new InputStreamReader(current.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                  System.out.println("broker    | " + line);
                  if (line.startsWith(BrokerMain.READY)) ready.complete(null);
                }
              } catch (IOException gone) {
                // the broker was killed
              }
              ready.completeExceptionally(
                  new IllegalStateException("the broker exited before it was ready"));
            });
    try {
      ready.get(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("Kafka broker did not start: " + e.getMessage(), e);
    }
  }

  /** SIGKILL: no controlled shutdown, nothing flushed beyond what the broker already wrote. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) kill();
  }
}
