package dev.tuneloop.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tuneloop.servicekit.testing.TestCredentials;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/**
 * A plain JDK HTTP client for the gateway's tests: every status and body exactly as a client sees
 * them.
 */
final class GatewayHttp {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final URL base;

  GatewayHttp(URL base) {
    this.base = base;
  }

  HttpResponse<String> post(String path, String body, String key) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Any method with a body ({@code null}: none) of the given Content-Type. */
  HttpResponse<String> send(String method, String path, String body, String contentType, String key)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET();
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** A local port nothing listens on: an upstream that is down. */
  static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code props} plus the credentials of the test services: the gateway's own gRPC server accepts
   * the test service token, and the gateway calls its upstreams with it.
   */
  static Map<String, String> withCredentials(Map<String, String> props) {
    Map<String, String> all = new HashMap<>(props);
    TestCredentials.properties().forEach((k, v) -> all.put(k, v.toString()));
    all.put("tuneloop.gateway.upstreams.service-token", TestCredentials.SERVICE_TOKEN);
    return all;
  }
}
