package dev.tuneloop.gateway.api;

import dev.tuneloop.gateway.auth.Tenant;
import dev.tuneloop.gateway.upstream.UpstreamErrors;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.proto.v1.ListAdaptersRequest;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** The adapters inference-service knows for the caller's tenant, and whether each is resident. */
@Controller("/v1/adapters")
@ExecuteOn(TaskExecutors.BLOCKING)
public class AdapterController {
  private final Upstreams upstreams;

  public AdapterController(Upstreams upstreams) {
    this.upstreams = upstreams;
  }

  @Get(produces = MediaType.APPLICATION_JSON)
  public String list(HttpRequest<?> http) {
    return JsonBodies.print(
        UpstreamErrors.call(
            Upstreams.INFERENCE,
            () ->
                upstreams
                    .inference(Tenant.of(http))
                    .listAdapters(
                        ListAdaptersRequest.newBuilder().setTenant(Tenant.of(http)).build())));
  }
}
