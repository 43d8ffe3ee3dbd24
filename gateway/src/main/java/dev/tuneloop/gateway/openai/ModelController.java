package dev.tuneloop.gateway.openai;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tuneloop.gateway.api.ApiException;
import dev.tuneloop.gateway.auth.Tenant;
import dev.tuneloop.gateway.upstream.UpstreamErrors;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.platform.config.Names;
import dev.tuneloop.proto.v1.ListAdaptersRequest;
import dev.tuneloop.proto.v1.ListAdaptersResponse;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * OpenAI's {@code GET /v1/models/{model}}: the model object when {@code base} or one of the
 * caller's adapters ({@code name}, {@code name@alias} or {@code name@version}, see {@link
 * ModelIds}), else a 404 in OpenAI's shape.
 */
@Controller("/v1/models")
@ExecuteOn(TaskExecutors.BLOCKING)
public class ModelController {
  private final Upstreams upstreams;

  public ModelController(Upstreams upstreams) {
    this.upstreams = upstreams;
  }

  @Get(uri = "/{model}", produces = MediaType.APPLICATION_JSON)
  public String model(HttpRequest<?> http, @PathVariable String model) {
    String adapter = model.contains("@") ? model.substring(0, model.indexOf('@')) : model;
    String problem = Names.nameProblem(adapter);
    if (problem != null) {
      throw ApiException.badField("model", problem);
    }
    if (!model.equals(ChatCompletionRequest.BASE_MODEL) && !known(http, model)) {
      throw new ApiException(
          HttpStatus.NOT_FOUND,
          "not_found",
          "model",
          "The model '" + model + "' does not exist: GET /v1/models lists yours.");
    }
    ObjectNode entry = JsonNodeFactory.instance.objectNode();
    entry.put("id", model);
    entry.put("object", "model");
    entry.put("created", 0);
    entry.put("owned_by", "tuneloop");
    return entry.toString();
  }

  private boolean known(HttpRequest<?> http, String model) {
    ListAdaptersRequest request =
        ListAdaptersRequest.newBuilder().setTenant(Tenant.of(http)).build();
    ListAdaptersResponse adapters =
        UpstreamErrors.call(
            Upstreams.INFERENCE, () -> upstreams.inference(Tenant.of(http)).listAdapters(request));
    return ModelIds.isKnown(adapters, model);
  }
}
