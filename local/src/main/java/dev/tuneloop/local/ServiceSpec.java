package dev.tuneloop.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One service as built by Maven: its main class, its build folder (holding {@code classes/} and the
 * {@code runtime-classpath.txt} written at build time) and its default ports.
 */
public record ServiceSpec(
    String name, String mainClass, Path buildDir, int httpPort, int grpcPort) {

  /** The service's classes followed by its runtime dependencies, as a JVM {@code -cp} value. */
  public String classpath() {
    Path classes = buildDir.resolve("classes");
    Path deps = buildDir.resolve("runtime-classpath.txt");
    if (!Files.isDirectory(classes) || !Files.isRegularFile(deps)) {
      throw new IllegalStateException(
          name
              + " is not built (no "
              + classes
              + " or "
              + deps
              + "). Build it first: "
              + "./mvnw -q -pl local -am package -DskipTests");
    }
    try {
      return classes + java.io.File.pathSeparator + Files.readString(deps).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + deps, e);
    }
  }

  public ServiceSpec withPorts(int http, int grpc) {
    return new ServiceSpec(name, mainClass, buildDir, http, grpc);
  }
}
