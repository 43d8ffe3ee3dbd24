package dev.tuneloop.gateway.api;

import dev.tuneloop.gateway.auth.Tenant;
import dev.tuneloop.gateway.upstream.UpstreamErrors;
import dev.tuneloop.gateway.upstream.Upstreams;
import dev.tuneloop.proto.v1.GetGoldenPromptsRequest;
import dev.tuneloop.proto.v1.GetPromotionPolicyRequest;
import dev.tuneloop.proto.v1.GoldenPrompt;
import dev.tuneloop.proto.v1.PromotionPolicy;
import dev.tuneloop.proto.v1.PutGoldenPromptsRequest;
import dev.tuneloop.proto.v1.SetPromotionPolicyRequest;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How a dataset's adapters are judged after training: its golden prompts (answers compared with the
 * expected ones) and its promotion policy (when a new version becomes production). Both are stored
 * by trainer-service's registry, which evaluates every version it trains.
 */
@Controller("/v1/datasets/{dataset}")
@ExecuteOn(TaskExecutors.BLOCKING)
public class DatasetEvalController {
  private static final Set<String> MODES = Set.of("auto", "manual");

  private final Upstreams upstreams;

  public DatasetEvalController(Upstreams upstreams) {
    this.upstreams = upstreams;
  }

  /**
   * Adds golden prompts (a JSON array or JSON Lines, see {@link GoldenPromptsBody}); {@code
   * ?replace=true} replaces the dataset's set instead. Answers {@code {dataset, count}}.
   */
  @Post(uri = "/golden", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public String putGolden(
      HttpRequest<?> http,
      @PathVariable String dataset,
      @Body String body,
      @Nullable @Header(HttpHeaders.CONTENT_TYPE) String contentType,
      @Nullable @QueryValue String replace) {
    DatasetController.checkDataset(dataset);
    boolean replaceAll = flag("replace", replace);
    List<GoldenPrompt> prompts = GoldenPromptsBody.parse(body, contentType);
    PutGoldenPromptsRequest request =
        PutGoldenPromptsRequest.newBuilder()
            .setDataset(dataset)
            .addAllPrompts(prompts)
            .setReplace(replaceAll)
            .build();
    UpstreamLimits.checkMessageSize(request.getSerializedSize());
    return JsonBodies.print(
        registry(() -> upstreams.registry(Tenant.of(http)).putGoldenPrompts(request)));
  }

  @Get(uri = "/golden", produces = MediaType.APPLICATION_JSON)
  public String getGolden(HttpRequest<?> http, @PathVariable String dataset) {
    DatasetController.checkDataset(dataset);
    GetGoldenPromptsRequest request =
        GetGoldenPromptsRequest.newBuilder().setDataset(dataset).build();
    return JsonBodies.print(
        registry(() -> upstreams.registry(Tenant.of(http)).getGoldenPrompts(request)));
  }

  /** The policy as it applies: the dataset's stored fields, the trainer's defaults for the rest. */
  @Get(uri = "/promotion-policy", produces = MediaType.APPLICATION_JSON)
  public String getPolicy(HttpRequest<?> http, @PathVariable String dataset) {
    DatasetController.checkDataset(dataset);
    GetPromotionPolicyRequest request =
        GetPromotionPolicyRequest.newBuilder().setDataset(dataset).build();
    return JsonBodies.print(
        registry(() -> upstreams.registry(Tenant.of(http)).getPromotionPolicy(request)));
  }

  /**
   * Stores the dataset's policy ({@code PromotionPolicy} as JSON, every field optional: an unset
   * one takes the trainer's default) and answers the policy as it will apply.
   */
  @Put(uri = "/promotion-policy", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
  public String setPolicy(HttpRequest<?> http, @PathVariable String dataset, @Body String body) {
    DatasetController.checkDataset(dataset);
    PromotionPolicy policy = checkPolicy(JsonBodies.merge(body, PromotionPolicy.newBuilder()));
    SetPromotionPolicyRequest request =
        SetPromotionPolicyRequest.newBuilder().setDataset(dataset).setPolicy(policy).build();
    return JsonBodies.print(
        registry(() -> upstreams.registry(Tenant.of(http)).setPromotionPolicy(request)));
  }

  /** What follows from the fields' meanings (evaluation.proto); the trainer checks the rest. */
  static PromotionPolicy checkPolicy(PromotionPolicy.Builder policy) {
    if (!policy.getMode().isEmpty() && !MODES.contains(policy.getMode())) {
      throw ApiException.badField(
          "mode", "must be \"auto\" or \"manual\", not \"" + policy.getMode() + "\"");
    }
    if (policy.hasMaxEvalLossRegression()) {
      range("max_eval_loss_regression", policy.getMaxEvalLossRegression(), 0, Double.MAX_VALUE);
    }
    if (policy.hasMinGoldenDelta()) {
      range("min_golden_delta", policy.getMinGoldenDelta(), -1, 1);
    }
    if (policy.hasMaxDrift()) {
      range("max_drift", policy.getMaxDrift(), 0, 1);
    }
    return policy.build();
  }

  private static void range(String field, double value, double min, double max) {
    if (!(value >= min && value <= max)) { // also refuses NaN
      String limits =
          max == Double.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
      throw ApiException.badField(field, "must be " + limits + ", not " + value);
    }
  }

  /**
   * {@code true} or {@code false} (absent: false); anything else, a bare {@code ?replace} too, is
   * refused rather than guessed, since guessing wrong either duplicates or drops prompts.
   */
  private static boolean flag(String name, String value) {
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true")) {
      return true;
    }
    throw ApiException.badField(name, "must be true or false, not \"" + value + "\"");
  }

  private static <T> T registry(Supplier<T> rpc) {
    return UpstreamErrors.call(Upstreams.TRAINER, rpc);
  }
}
