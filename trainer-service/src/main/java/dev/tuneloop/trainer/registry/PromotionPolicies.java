package dev.tuneloop.trainer.registry;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.proto.v1.PromotionPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Promotion policies: the trainer's defaults ({@code trainer.promotion.*}) overlaid with a
 * dataset's own, stored as protobuf JSON at {@code
 * datasets/{tenant}/{dataset}/promotion-policy.json}.
 */
public final class PromotionPolicies {

  public static final String AUTO = "auto";
  public static final String MANUAL = "manual";

  private final ObjectStore store;
  private final PromotionPolicy defaults;

  /**
   * @param defaults every field set (see {@link PromotionConfiguration#toPolicy()})
   */
  public PromotionPolicies(ObjectStore store, PromotionPolicy defaults) {
    this.store = store;
    this.defaults = defaults;
  }

  public static String key(String tenant, String dataset) {
    return "datasets/" + tenant + "/" + dataset + "/promotion-policy.json";
  }

  public PromotionPolicy defaults() {
    return defaults;
  }

  /** The dataset's stored policy, as stored (unset fields unset). */
  public Optional<PromotionPolicy> stored(String tenant, String dataset) {
    String key = key(tenant, dataset);
    if (!store.exists(key)) {
      return Optional.empty();
    }
    var builder = PromotionPolicy.newBuilder();
    try {
      JsonFormat.parser()
          .ignoringUnknownFields()
          .merge(new String(store.get(key), StandardCharsets.UTF_8), builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "the promotion policy of dataset '" + dataset + "' is not valid JSON: " + e.getMessage(),
          e);
    }
    return Optional.of(builder.build());
  }

  /** The policy that applies to a dataset's versions: the defaults overlaid with its own. */
  public PromotionPolicy effective(String tenant, String dataset) {
    return overlay(defaults, stored(tenant, dataset).orElse(PromotionPolicy.getDefaultInstance()));
  }

  /**
   * Stores a dataset's policy (unset fields keep the defaults) and returns the effective one.
   *
   * @throws RegistryException INVALID naming every bad field
   */
  public PromotionPolicy set(String tenant, String dataset, PromotionPolicy policy) {
    String problems = problems(policy, false);
    if (!problems.isEmpty()) {
      throw new RegistryException(
          RegistryException.Kind.INVALID, "invalid promotion policy: " + problems);
    }
    try {
      store.put(
          key(tenant, dataset),
          JsonFormat.printer()
              .preservingProtoFieldNames()
              .print(policy)
              .getBytes(StandardCharsets.UTF_8),
          "application/json");
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    return overlay(defaults, policy);
  }

  static PromotionPolicy overlay(PromotionPolicy base, PromotionPolicy over) {
    var out = base.toBuilder();
    if (!over.getMode().isEmpty()) {
      out.setMode(over.getMode());
    }
    if (over.hasMaxEvalLossRegression()) {
      out.setMaxEvalLossRegression(over.getMaxEvalLossRegression());
    }
    if (over.hasMinGoldenDelta()) {
      out.setMinGoldenDelta(over.getMinGoldenDelta());
    }
    if (over.hasMaxDrift()) {
      out.setMaxDrift(over.getMaxDrift());
    }
    return out.build();
  }

  /**
   * What is wrong with a policy, "" when nothing; fields named as in the proto, or as settings when
   * {@code settings} (the defaults from configuration).
   */
  static String problems(PromotionPolicy p, boolean settings) {
    List<String> problems = new ArrayList<>();
    String mode = p.getMode();
    if (!mode.isEmpty() && !mode.equals(AUTO) && !mode.equals(MANUAL)) {
      problems.add(
          name("mode", settings) + ": must be \"auto\" or \"manual\", got \"" + mode + "\"");
    }
    if (p.hasMaxEvalLossRegression()) {
      range(
          problems,
          name("max_eval_loss_regression", settings),
          p.getMaxEvalLossRegression(),
          0,
          10,
          " (0.05 = production's eval loss + 5%)");
    }
    if (p.hasMinGoldenDelta()) {
      range(problems, name("min_golden_delta", settings), p.getMinGoldenDelta(), -1, 1, "");
    }
    if (p.hasMaxDrift()) {
      range(problems, name("max_drift", settings), p.getMaxDrift(), 0, 1, " (1 = off)");
    }
    return String.join("; ", problems);
  }

  private static void range(
      List<String> problems, String field, double value, double min, double max, String hint) {
    if (!(value >= min && value <= max)) { // NaN too
      problems.add(field + ": must be in [" + min + ", " + max + "]" + hint + ", got " + value);
    }
  }

  private static String name(String field, boolean settings) {
    return settings ? "trainer.promotion." + field.replace('_', '-') : field;
  }
}
