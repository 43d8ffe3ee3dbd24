package dev.tuneloop.gateway.api;

import dev.tuneloop.gateway.auth.Tenant;
import dev.tuneloop.gateway.upstream.UpstreamErrors;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.platform.config.Names;
import dev.tuneloop.proto.v1.CancelJobRequest;
import dev.tuneloop.proto.v1.GetJobRequest;
import dev.tuneloop.proto.v1.JobState;
import dev.tuneloop.proto.v1.JobStatus;
import dev.tuneloop.proto.v1.ListJobsRequest;
import dev.tuneloop.proto.v1.ListJobsResponse;
import dev.tuneloop.proto.v1.TrainingJobSpec;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Training jobs, forwarded to trainer-service. Bodies and answers are the Protobuf messages as JSON
 * with the .proto's field names ({@code TrainingJobSpec} in, {@code JobStatus} out). A tenant sees
 * and touches only its own jobs.
 */
@Controller("/v1/jobs")
@ExecuteOn(TaskExecutors.BLOCKING)
public class JobController {
  private static final Pattern SNAPSHOT_SEGMENT =
      Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._=-]{1,128}");

  private final Upstreams upstreams;

  public JobController(Upstreams upstreams) {
    this.upstreams = upstreams;
  }

  @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public HttpResponse<String> submit(HttpRequest<?> http, @Body String body) {
    TrainingJobSpec.Builder spec = JsonBodies.merge(body, TrainingJobSpec.newBuilder());
    String tenant = Tenant.of(http);
    if (!spec.getTenant().isEmpty() && !spec.getTenant().equals(tenant)) {
      throw ApiException.badField("tenant", "must be empty or your own tenant \"" + tenant + "\"");
    }
    String nameProblem = Names.nameProblem(spec.getAdapterName());
    if (nameProblem != null) {
      throw ApiException.badField("adapter_name", nameProblem);
    }
    if (spec.getDatasetSnapshot().isBlank()) {
      throw ApiException.badField(
          "dataset_snapshot", "is required (a manifest key under datasets/" + tenant + "/)");
    }
    checkSnapshotKey("dataset_snapshot", spec.getDatasetSnapshot(), tenant);
    if (!spec.getEvalDatasetSnapshot().isEmpty()) {
      checkSnapshotKey("eval_dataset_snapshot", spec.getEvalDatasetSnapshot(), tenant);
    }
    spec.setTenant(tenant);
    if (spec.getRequestedBy().isEmpty()) {
      spec.setRequestedBy("gateway");
    }
    JobStatus status = call(() -> upstreams.trainer(Tenant.of(http)).submitJob(spec.build()));
    return HttpResponse.created(JsonBodies.print(status))
        .contentType(MediaType.APPLICATION_JSON_TYPE);
  }

  /**
   * A snapshot is an object key the trainer reads, so it must be one of the caller's own: under
   * {@code datasets/{tenant}/}, plain segments only (no {@code ..}, no empty or dot segments).
   */
  static void checkSnapshotKey(String field, String key, String tenant) {
    String prefix = "datasets/" + tenant + "/";
    if (!key.startsWith(prefix)) {
      throw ApiException.badField(
          field, "must be a manifest key under " + prefix + " (your tenant's datasets)");
    }
    for (String segment : key.split("/", -1)) {
      if (!SNAPSHOT_SEGMENT.matcher(segment).matches()) {
        throw ApiException.badField(
            field,
            "has the path segment '"
                + segment
                + "'; each segment must be letters, digits, '.', '_', '-' or '=', not '.' or '..'");
      }
    }
  }

  /** {@code ?state=RUNNING} (repeatable, comma-separated too) narrows the list. */
  @Get(produces = MediaType.APPLICATION_JSON)
  public String list(HttpRequest<?> http, @Nullable @QueryValue String state) {
    ListJobsRequest.Builder request = ListJobsRequest.newBuilder().setTenant(Tenant.of(http));
    if (state != null && !state.isBlank()) {
      for (String name : state.split(",")) {
        request.addStates(parseState(name.strip()));
      }
    }
    ListJobsResponse jobs =
        call(() -> upstreams.trainer(Tenant.of(http)).listJobs(request.build()));
    return JsonBodies.print(jobs);
  }

  @Get(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
  public String get(HttpRequest<?> http, @PathVariable String id) {
    JobStatus status =
        call(
            () ->
                upstreams
                    .trainer(Tenant.of(http))
                    .getJob(GetJobRequest.newBuilder().setJobId(id).build()));
    return JsonBodies.print(ownJob(http, id, status));
  }

  @Delete(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
  public String cancel(HttpRequest<?> http, @PathVariable String id) {
    get(http, id); // 404 unless it is the caller's job
    JobStatus status =
        call(
            () ->
                upstreams
                    .trainer(Tenant.of(http))
                    .cancelJob(CancelJobRequest.newBuilder().setJobId(id).build()));
    return JsonBodies.print(status);
  }

  private static JobStatus ownJob(HttpRequest<?> http, String id, JobStatus status) {
    String owner =
        status.getSpec().getTenant().isEmpty()
            ? status.getLatest().getTenant()
            : status.getSpec().getTenant();
    if (!owner.equals(Tenant.of(http))) {
      throw new ApiException(
          io.micronaut.http.HttpStatus.NOT_FOUND, "not_found", "id", "No job " + id + ".");
    }
    return status;
  }

  private static JobState parseState(String name) {
    try {
      JobState state = JobState.valueOf(name.toUpperCase(Locale.ROOT));
      if (state != JobState.UNRECOGNIZED && state != JobState.JOB_STATE_UNSPECIFIED) {
        return state;
      }
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    throw ApiException.badField(
        "state",
        "must be one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, not \"" + name + "\"");
  }

  private static <T> T call(Supplier<T> rpc) {
    return UpstreamErrors.call(Upstreams.TRAINER, rpc);
  }
}
