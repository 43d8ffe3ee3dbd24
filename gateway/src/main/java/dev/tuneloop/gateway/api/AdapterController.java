package dev.tuneloop.gateway.api;

import dev.tuneloop.gateway.auth.Tenant;
import dev.tuneloop.gateway.upstream.UpstreamErrors;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.platform.config.Names;
import dev.tuneloop.proto.v1.AdapterDetails;
import dev.tuneloop.proto.v1.GetAdapterRequest;
import dev.tuneloop.proto.v1.ListAdaptersRequest;
import dev.tuneloop.proto.v1.PromoteRequest;
import dev.tuneloop.proto.v1.RollbackRequest;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The caller's adapters. The list is what inference-service serves (each adapter's aliases, the
 * version a plain name answers with, whether it is resident); one adapter's versions with their
 * eval reports, its aliases and their history, and moving its production alias are
 * trainer-service's registry ({@code AdapterRegistryService}).
 */
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

  /** {@code AdapterDetails}: versions (oldest first) with their eval reports, aliases, history. */
  @Get(uri = "/{name}", produces = MediaType.APPLICATION_JSON)
  public String get(HttpRequest<?> http, @PathVariable String name) {
    checkName(name);
    GetAdapterRequest request = GetAdapterRequest.newBuilder().setName(name).build();
    return JsonBodies.print(
        registry(() -> upstreams.registry(Tenant.of(http)).getAdapter(request)));
  }

  /** Moves production to {@code version} (a version id; an alias is not accepted upstream). */
  @Post(uri = "/{name}/promote", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public String promote(HttpRequest<?> http, @PathVariable String name, @Body String body) {
    checkName(name);
    Map<String, String> fields =
        JsonBodies.stringFields(JsonBodies.parse(body), "", List.of("version", "reason"));
    String version = fields.getOrDefault("version", "").strip();
    if (version.isEmpty()) {
      throw ApiException.badField(
          "version", "is required: the version to promote (GET /v1/adapters/" + name + ")");
    }
    PromoteRequest request =
        PromoteRequest.newBuilder()
            .setName(name)
            .setVersion(version)
            .setReason(fields.getOrDefault("reason", ""))
            .build();
    AdapterDetails details = registry(() -> upstreams.registry(Tenant.of(http)).promote(request));
    return JsonBodies.print(details);
  }

  /** Moves production back to where it pointed before its latest move; the body is optional. */
  @Post(uri = "/{name}/rollback", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public String rollback(
      HttpRequest<?> http, @PathVariable String name, @Nullable @Body String body) {
    checkName(name);
    String reason = "";
    if (body != null && !body.isBlank()) {
      reason =
          JsonBodies.stringFields(JsonBodies.parse(body), "", List.of("reason"))
              .getOrDefault("reason", "");
    }
    RollbackRequest request = RollbackRequest.newBuilder().setName(name).setReason(reason).build();
    AdapterDetails details = registry(() -> upstreams.registry(Tenant.of(http)).rollback(request));
    return JsonBodies.print(details);
  }

  /** The rule the trainer applies to adapter names ({@link Names}), refused here in its words. */
  private static void checkName(String name) {
    String problem = Names.nameProblem(name);
    if (problem != null) {
      throw ApiException.badField("adapter_name", problem);
    }
  }

  private static <T> T registry(Supplier<T> rpc) {
    return UpstreamErrors.call(Upstreams.TRAINER, rpc);
  }
}
