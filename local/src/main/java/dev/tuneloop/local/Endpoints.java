package dev.tuneloop.local;

import dev.tuneloop.platform.config.S3Settings;
import java.util.Map;

/**
 * Where everything of a running local platform answers.
 *
 * @param kafkaBootstrapServers the embedded broker
 * @param s3 the embedded S3 server, credentials and bucket
 * @param services per service name: its HTTP base URL and gRPC target
 */
public record Endpoints(
    String kafkaBootstrapServers, S3Settings s3, Map<String, Service> services) {

  public record Service(String name, String httpUrl, String grpcTarget) {}

  public Service service(String name) {
    Service service = services.get(name);
    if (service == null)
      throw new IllegalArgumentException(name + " is not running; running: " + services.keySet());
    return service;
  }

  /** A human-readable table for the console. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("  %-10s %s%n", "kafka", kafkaBootstrapServers));
    out.append(
        String.format(
            "  %-10s %s  bucket=%s access-key=%s secret-key=%s%n",
            "s3", s3.endpoint(), s3.bucket(), s3.accessKey(), s3.secretKey()));
    services
        .values()
        .forEach(
            s ->
                out.append(
                    String.format(
                        "  %-10s http %-24s grpc %s%n", s.name(), s.httpUrl(), s.grpcTarget())));
    return out.toString();
  }
}
