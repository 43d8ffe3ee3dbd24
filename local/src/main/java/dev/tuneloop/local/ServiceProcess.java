package dev.tuneloop.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service running as a child JVM; its output is forwarded line by line with the service's name
 * in front.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final int TAIL_LINES = 40;

  /**
   * What every service JVM needs: native access for DJL/netty, offline DJL, a larger stack for deep
   * models.
   */
  static final List<String> JVM_OPTIONS =
      List.of(
          "-Xss4m",
          "-XX:+UseSerialGC",
          "--enable-native-access=ALL-UNNAMED",
          "--add-opens",
          "java.base/java.nio=ALL-UNNAMED",
          "--add-opens",
          "java.base/java.lang=ALL-UNNAMED",
          "-Dai.djl.offline=true");

  private final ServiceSpec spec;
  private final Process process;
  private final Deque<String> tail = new ArrayDeque<>();

  private ServiceProcess(ServiceSpec spec, Process process, PrintStream out) {
    this.spec = spec;
    this.process = process;
    Thread.ofVirtual().name(spec.name() + "-output").start(() -> forward(out));
  }

  /** Launches the service with the given system properties (they override its application.yml). */
  public static ServiceProcess start(
      ServiceSpec spec, Map<String, String> properties, PrintStream out) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(JVM_OPTIONS);
    properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-cp");
    command.add(spec.classpath());
    command.add(spec.mainClass());
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      return new ServiceProcess(spec, process, out);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot launch " + spec.name(), e);
    }
  }

  public ServiceSpec spec() {
    return spec;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The exit code once it exited, else -1. */
  public int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** The child JVM's process, e.g. to kill it in a drill. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  public String healthUrl() {
    return "http://localhost:" + spec.httpPort() + "/health";
  }

  /**
   * Polls {@code /health} until it answers 200; fails early, with the last output lines, if the JVM
   * exits.
   */
  public void awaitHealthy(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (HttpClient client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(healthUrl())).timeout(Duration.ofSeconds(5)).build();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              spec.name()
                  + " exited with code "
                  + process.exitValue()
                  + " before it was healthy. Last output:\n"
                  + tail());
        }
        try {
          if (client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200)
            return;
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(250);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + spec.name(), e);
    }
    throw new IllegalStateException(
        spec.name()
            + " was not healthy at "
            + healthUrl()
            + " within "
            + timeout.toSeconds()
            + " s. Last output:\n"
            + tail());
  }

  /**
   * SIGTERM (Micronaut shuts down gracefully), then a hard kill if it has not exited within {@code
   * grace}.
   */
  public void stop(Duration grace) {
    if (!process.isAlive()) return;
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /**
   * SIGKILL, as a crash would: no shutdown hook, no graceful drain, nothing flushed. Returns once
   * the JVM is gone, with its exit code (137 on Linux).
   */
  public int kill() {
    try {
      return process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while killing " + spec.name(), e);
    }
  }

  /** Waits for the JVM to exit on its own (e.g. a failpoint halted it) and returns its code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            spec.name()
                + " still runs after "
                + timeout.toSeconds()
                + " s. Last output:\n"
                + tail());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + spec.name(), e);
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(15));
  }

  private void forward(PrintStream out) {
    String prefix = String.format("%-9.9s | ", spec.name());
    try (var reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        out.println(prefix + line);
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) tail.removeFirst();
        }
      }
    } catch (IOException ignored) {
      // the process went away
    }
  }

  private String tail() {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }
}
