package dev.tuneloop.gateway.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

/**
 * The one JSON error shape of the gateway (OpenAI's): {@code {"error": {"message", "type", "param",
 * "code"}}}.
 */
public final class ApiErrors {
  private ApiErrors() {}

  public static ObjectNode body(HttpStatus status, String type, String param, String message) {
    ObjectNode error = JsonNodeFactory.instance.objectNode();
    error.put("message", message);
    error.put("type", type);
    if (param == null) {
      error.putNull("param");
    } else {
      error.put("param", param);
    }
    error.put("code", status.getCode());
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.set("error", error);
    return root;
  }

  public static MutableHttpResponse<String> response(
      HttpStatus status, String type, String param, String message) {
    return HttpResponse.<String>status(status)
        .contentType(MediaType.APPLICATION_JSON_TYPE)
        .body(body(status, type, param, message).toString());
  }

  public static MutableHttpResponse<String> response(ApiException e) {
    return response(e.status(), e.type(), e.param(), e.getMessage());
  }
}
