package dev.tuneloop.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The five services in start order, read from {@code services.properties} (filled in by the build).
 */
public final class ServiceCatalog {
  /** Upstreams first, the gateway last. */
  public static final List<String> ALL =
      List.of("ingest", "curation", "trainer", "inference", "gateway");

  private ServiceCatalog() {}

  public static List<ServiceSpec> load(List<String> names) {
    Properties props = new Properties();
    try (InputStream in = ServiceCatalog.class.getResourceAsStream("/services.properties")) {
      if (in == null)
        throw new IllegalStateException("services.properties missing from the local module's jar");
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names.stream().map(name -> spec(props, name)).toList();
  }

  private static ServiceSpec spec(Properties props, String name) {
    String dir = props.getProperty(name + ".dir");
    if (dir == null)
      throw new IllegalArgumentException("Unknown service '" + name + "'; known: " + ALL);
    return new ServiceSpec(
        name,
        props.getProperty(name + ".main"),
        Path.of(dir).normalize(),
        Integer.parseInt(props.getProperty(name + ".http")),
        Integer.parseInt(props.getProperty(name + ".grpc")));
  }
}
