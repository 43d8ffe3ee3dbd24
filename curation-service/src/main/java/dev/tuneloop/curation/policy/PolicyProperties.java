package dev.tuneloop.curation.policy;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Reads a {@link PolicyBook} from flat configuration properties (relative to {@code curation.}):
 * {@code defaults.<key>} and {@code datasets.<tenant>/<dataset>.<key>}; a dataset starts from the defaults and
 * overrides what it names. Unknown keys and bad values are errors naming the property.
 */
public final class PolicyProperties {

  private static final Map<String, BiFunction<CurationPolicy, String, CurationPolicy>> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("max-seq-len", (p, v) -> with(p, b -> b.maxSeqLen = Integer.parseInt(v)));
    KEYS.put("chat-template", (p, v) -> with(p, b -> b.chatTemplate = v));
    KEYS.put("max-turns", (p, v) -> with(p, b -> b.maxTurns = Integer.parseInt(v)));
    KEYS.put("min-response-chars", (p, v) -> with(p, b -> b.minResponseChars = Integer.parseInt(v)));
    KEYS.put("max-repetition", (p, v) -> with(p, b -> b.maxRepetition = Double.parseDouble(v)));
    KEYS.put("near-duplicate-threshold", (p, v) -> with(p, b -> b.nearDuplicateThreshold = Double.parseDouble(v)));
    KEYS.put("shingle-size", (p, v) -> with(p, b -> b.shingleSize = Integer.parseInt(v)));
    KEYS.put("contradiction-max-similarity", (p, v) -> with(p, b -> b.contradictionMaxSimilarity = Double.parseDouble(v)));
    KEYS.put("pii", (p, v) -> with(p, b -> b.pii = PiiAction.valueOf(v.trim().toUpperCase(Locale.ROOT))));
    KEYS.put("filter-refusals", (p, v) -> with(p, b -> b.filterRefusals = bool(v)));
    KEYS.put("refusal-phrases", (p, v) -> with(p, b -> b.refusalPhrases = Arrays.stream(v.split(","))
        .map(s -> s.strip().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).toList()));
    KEYS.put("retrain.enabled", (p, v) -> retrain(p, r -> new RetrainPolicy(bool(v), r.adapter(), r.minNew(), r.minTotal(), r.schedule())));
    KEYS.put("retrain.adapter", (p, v) -> retrain(p, r -> new RetrainPolicy(r.enabled(), v, r.minNew(), r.minTotal(), r.schedule())));
    KEYS.put("retrain.min-new", (p, v) -> retrain(p, r -> new RetrainPolicy(r.enabled(), r.adapter(), Integer.parseInt(v), r.minTotal(), r.schedule())));
    KEYS.put("retrain.min-total", (p, v) -> retrain(p, r -> new RetrainPolicy(r.enabled(), r.adapter(), r.minNew(), Integer.parseInt(v), r.schedule())));
    KEYS.put("retrain.schedule", (p, v) -> retrain(p, r -> new RetrainPolicy(r.enabled(), r.adapter(), r.minNew(), r.minTotal(), duration(v))));
    KEYS.put("training.base-model", (p, v) -> training(p, t -> new TrainingDefaults(v, t.chatTemplate(), t.loraR(), t.loraAlpha(), t.numEpochs(), t.learningRate(), t.microBatchSize(), t.maxSteps())));
    KEYS.put("training.chat-template", (p, v) -> training(p, t -> new TrainingDefaults(t.baseModel(), v, t.loraR(), t.loraAlpha(), t.numEpochs(), t.learningRate(), t.microBatchSize(), t.maxSteps())));
    KEYS.put("training.lora-r", (p, v) -> training(p, t -> new TrainingDefaults(t.baseModel(), t.chatTemplate(), Integer.parseInt(v), t.loraAlpha(), t.numEpochs(), t.learningRate(), t.microBatchSize(), t.maxSteps())));
    KEYS.put("training.lora-alpha", (p, v) -> training(p, t -> new TrainingDefaults(t.baseModel(), t.chatTemplate(), t.loraR(), Float.parseFloat(v), t.numEpochs(), t.learningRate(), t.microBatchSize(), t.maxSteps())));
    KEYS.put("training.num-epochs", (p, v) -> training(p, t -> new TrainingDefaults(t.baseModel(), t.chatTemplate(), t.loraR(), t.loraAlpha(), Integer.parseInt(v), t.learningRate(), t.microBatchSize(), t.maxSteps())));
    KEYS.put("training.learning-rate", (p, v) -> training(p, t -> new TrainingDefaults(t.baseModel(), t.chatTemplate(), t.loraR(), t.loraAlpha(), t.numEpochs(), Float.parseFloat(v), t.microBatchSize(), t.maxSteps())));
    KEYS.put("training.micro-batch-size", (p, v) -> training(p, t -> new TrainingDefaults(t.baseModel(), t.chatTemplate(), t.loraR(), t.loraAlpha(), t.numEpochs(), t.learningRate(), Integer.parseInt(v), t.maxSteps())));
    KEYS.put("training.max-steps", (p, v) -> training(p, t -> new TrainingDefaults(t.baseModel(), t.chatTemplate(), t.loraR(), t.loraAlpha(), t.numEpochs(), t.learningRate(), t.microBatchSize(), Integer.parseInt(v))));
  }

  private PolicyProperties() {}

  public static List<String> keys() {
    return List.copyOf(KEYS.keySet());
  }

  public static PolicyBook parse(Map<String, String> properties) {
    Map<String, String> sorted = new TreeMap<>(properties);
    CurationPolicy defaults = CurationPolicy.DEFAULTS;
    Map<String, Map<String, String>> perDataset = new HashMap<>();
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      String name = e.getKey();
      if (name.startsWith("defaults.")) {
        defaults = apply(defaults, name, name.substring("defaults.".length()), e.getValue());
      } else if (name.startsWith("datasets.")) {
        String rest = name.substring("datasets.".length());
        String key = KEYS.keySet().stream().filter(k -> rest.endsWith("." + k)).max((a, b) -> a.length() - b.length())
            .orElseThrow(() -> new IllegalArgumentException("curation." + name + " is not a known policy property; known: " + KEYS.keySet()));
        String dataset = rest.substring(0, rest.length() - key.length() - 1);
        if (!dataset.contains("/")) {
          throw new IllegalArgumentException("curation." + name + ": datasets are named {tenant}/{dataset}, got '" + dataset + "'");
        }
        perDataset.computeIfAbsent(dataset, d -> new LinkedHashMap<>()).put(key, e.getValue());
      }
    }
    Map<String, CurationPolicy> overrides = new HashMap<>();
    for (Map.Entry<String, Map<String, String>> d : perDataset.entrySet()) {
      CurationPolicy p = defaults;
      for (Map.Entry<String, String> kv : d.getValue().entrySet()) {
        p = apply(p, "datasets." + d.getKey() + "." + kv.getKey(), kv.getKey(), kv.getValue());
      }
      overrides.put(d.getKey(), p);
    }
    return new PolicyBook(defaults, overrides);
  }

  private static CurationPolicy apply(CurationPolicy p, String property, String key, String value) {
    BiFunction<CurationPolicy, String, CurationPolicy> setter = KEYS.get(key);
    if (setter == null) {
      throw new IllegalArgumentException("curation." + property + " is not a known policy property; known: " + KEYS.keySet());
    }
    try {
      return setter.apply(p, value.strip());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("curation." + property + " = '" + value + "' is invalid: " + e.getMessage(), e);
    }
  }

  /** "90s", "30m", "24h", "7d" or ISO-8601 ("PT24H"); empty means no schedule. */
  static Duration duration(String v) {
    if (v.isBlank()) {
      return null;
    }
    if (v.toUpperCase(Locale.ROOT).startsWith("P")) {
      return Duration.parse(v);
    }
    long n = Long.parseLong(v.substring(0, v.length() - 1));
    return switch (v.charAt(v.length() - 1)) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      case 'd' -> Duration.ofDays(n);
      default -> throw new IllegalArgumentException("durations look like 30m, 24h, 7d or PT24H");
    };
  }

  private static boolean bool(String v) {
    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException("expected true or false");
    }
    return Boolean.parseBoolean(v);
  }

  private static CurationPolicy retrain(CurationPolicy p, java.util.function.UnaryOperator<RetrainPolicy> change) {
    return with(p, b -> b.retrain = change.apply(b.retrain));
  }

  private static CurationPolicy training(CurationPolicy p, java.util.function.UnaryOperator<TrainingDefaults> change) {
    return with(p, b -> b.training = change.apply(b.training));
  }

  private static CurationPolicy with(CurationPolicy p, java.util.function.Consumer<Builder> change) {
    Builder b = new Builder(p);
    change.accept(b);
    return b.build();
  }

  /** A mutable copy used only while applying one property. */
  private static final class Builder {
    int maxSeqLen;
    String chatTemplate;
    int maxTurns;
    int minResponseChars;
    double maxRepetition;
    double nearDuplicateThreshold;
    int shingleSize;
    double contradictionMaxSimilarity;
    PiiAction pii;
    boolean filterRefusals;
    List<String> refusalPhrases;
    RetrainPolicy retrain;
    TrainingDefaults training;

    Builder(CurationPolicy p) {
      maxSeqLen = p.maxSeqLen();
      chatTemplate = p.chatTemplate();
      maxTurns = p.maxTurns();
      minResponseChars = p.minResponseChars();
      maxRepetition = p.maxRepetition();
      nearDuplicateThreshold = p.nearDuplicateThreshold();
      shingleSize = p.shingleSize();
      contradictionMaxSimilarity = p.contradictionMaxSimilarity();
      pii = p.pii();
      filterRefusals = p.filterRefusals();
      refusalPhrases = p.refusalPhrases();
      retrain = p.retrain();
      training = p.training();
    }

    CurationPolicy build() {
      return new CurationPolicy(maxSeqLen, chatTemplate, maxTurns, minResponseChars, maxRepetition, nearDuplicateThreshold,
          shingleSize, contradictionMaxSimilarity, pii, filterRefusals, refusalPhrases, retrain, training);
    }
  }
}
