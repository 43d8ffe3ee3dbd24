package dev.tuneloop.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How to run the local platform.
 *
 * @param dataDir where Kafka's log and S3's objects live; kept between runs, so data survives a
 *     restart
 * @param services which services to start (names from {@link ServiceCatalog#ALL}), in start order
 * @param defaultPorts use each service's usual ports (gateway 8080, ...) and Kafka 9092 / S3 9000
 *     when free; false: any free ports (tests)
 * @param properties extra system properties for every service JVM (e.g.
 *     tuneloop.inference.base-model)
 * @param healthTimeout how long each service may take to answer {@code /health}
 */
public record LocalOptions(
    Path dataDir,
    List<String> services,
    boolean defaultPorts,
    Map<String, String> properties,
    Duration healthTimeout) {

  public LocalOptions {
    dataDir = dataDir.toAbsolutePath().normalize(); // resolved once, before any library sees it
    services = List.copyOf(services);
    properties = Map.copyOf(properties);
  }

  /** Everything, on the usual ports, data under {@code .tuneloop/} in the working directory. */
  public static LocalOptions defaults() {
    return new LocalOptions(
        Path.of(".tuneloop"), ServiceCatalog.ALL, true, Map.of(), Duration.ofMinutes(3));
  }

  public LocalOptions withDataDir(Path dir) {
    return new LocalOptions(dir, services, defaultPorts, properties, healthTimeout);
  }

  public LocalOptions withServices(List<String> names) {
    return new LocalOptions(dataDir, names, defaultPorts, properties, healthTimeout);
  }

  public LocalOptions withFreePorts() {
    return new LocalOptions(dataDir, services, false, properties, healthTimeout);
  }

  public LocalOptions withProperties(Map<String, String> props) {
    return new LocalOptions(dataDir, services, defaultPorts, props, healthTimeout);
  }
}
