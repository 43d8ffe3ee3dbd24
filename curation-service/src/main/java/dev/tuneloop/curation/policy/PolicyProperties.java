package dev.tuneloop.curation.policy;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Reads a {@link PolicyBook} from flat configuration properties (relative to {@code curation.}):
 * {@code defaults.<key>} and {@code datasets.<tenant>/<dataset>.<key>}; a dataset starts from the
 * defaults and overrides what it names. Unknown keys and bad values are errors naming the property.
 */
public final class PolicyProperties {

  private static final Map<String, BiConsumer<Builder, String>> KEYS = new LinkedHashMap<>();

  static {
    KEYS.put("max-seq-len", (b, v) -> b.maxSeqLen = Integer.parseInt(v));
    KEYS.put("chat-template", (b, v) -> b.chatTemplate = v);
    KEYS.put("max-turns", (b, v) -> b.maxTurns = Integer.parseInt(v));
    KEYS.put("min-response-chars", (b, v) -> b.minResponseChars = Integer.parseInt(v));
    KEYS.put("max-repetition", (b, v) -> b.maxRepetition = Double.parseDouble(v));
    KEYS.put(
        "near-duplicate-threshold", (b, v) -> b.nearDuplicateThreshold = Double.parseDouble(v));
    KEYS.put("near-duplicate-shingles", (b, v) -> b.shingles = v.toLowerCase(Locale.ROOT));
    KEYS.put("shingle-size", (b, v) -> b.shingleSize = Integer.parseInt(v));
    KEYS.put("char-shingle-size", (b, v) -> b.charShingleSize = Integer.parseInt(v));
    KEYS.put(
        "contradiction-max-similarity",
        (b, v) -> b.contradictionMaxSimilarity = Double.parseDouble(v));
    KEYS.put("pii", (b, v) -> b.pii = PiiAction.valueOf(v.toUpperCase(Locale.ROOT)));
    KEYS.put("filter-refusals", (b, v) -> b.filterRefusals = bool(v));
    KEYS.put(
        "refusal-phrases",
        (b, v) ->
            b.refusalPhrases =
                Arrays.stream(v.split(","))
                    .map(s -> s.strip().toLowerCase(Locale.ROOT))
                    .filter(s -> !s.isEmpty())
                    .toList());
    // Semicolons separate the patterns: regular expressions contain commas ("[, ]+").
    KEYS.put(
        "refusal-patterns",
        (b, v) ->
            b.refusalPatterns =
                Arrays.stream(v.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    KEYS.put("tokenizer-json", (b, v) -> b.tokenizerJson = v);
    KEYS.put("retrain.enabled", (b, v) -> b.retrainEnabled = bool(v));
    KEYS.put("retrain.adapter", (b, v) -> b.adapter = v);
    KEYS.put("retrain.min-new", (b, v) -> b.minNew = Integer.parseInt(v));
    KEYS.put("retrain.min-total", (b, v) -> b.minTotal = Integer.parseInt(v));
    KEYS.put("retrain.schedule", (b, v) -> b.schedule = duration(v));
    KEYS.put("retrain.replay-share", (b, v) -> b.replayShare = Double.parseDouble(v));
    KEYS.put("retrain.replay-max", (b, v) -> b.replayMax = Integer.parseInt(v));
    KEYS.put("retrain.max-eval-examples", (b, v) -> b.maxEvalExamples = Integer.parseInt(v));
    KEYS.put("retrain.warm-start", (b, v) -> b.warmStart = bool(v));
    KEYS.put("retrain.drift-threshold", (b, v) -> b.driftThreshold = Double.parseDouble(v));
    KEYS.put("retrain.drift-min-new", (b, v) -> b.driftMinNew = Integer.parseInt(v));
    KEYS.put("training.base-model", (b, v) -> b.baseModel = v);
    KEYS.put("training.chat-template", (b, v) -> b.trainingTemplate = v);
    KEYS.put("training.lora-r", (b, v) -> b.loraR = Integer.parseInt(v));
    KEYS.put("training.lora-alpha", (b, v) -> b.loraAlpha = Float.parseFloat(v));
    KEYS.put(
        "training.target-modules",
        (b, v) ->
            b.targetModules =
                Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    KEYS.put("training.num-epochs", (b, v) -> b.numEpochs = Integer.parseInt(v));
    KEYS.put("training.learning-rate", (b, v) -> b.learningRate = Float.parseFloat(v));
    KEYS.put("training.micro-batch-size", (b, v) -> b.microBatchSize = Integer.parseInt(v));
    KEYS.put("training.max-steps", (b, v) -> b.maxSteps = Integer.parseInt(v));
    KEYS.put("training.eval-fraction", (b, v) -> b.evalFraction = Double.parseDouble(v));
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
        String key =
            KEYS.keySet().stream()
                .filter(k -> rest.endsWith("." + k))
                .max((a, b) -> a.length() - b.length())
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "curation."
                                + name
                                + " is not a known policy property; known: "
                                + KEYS.keySet()));
        String dataset = rest.substring(0, rest.length() - key.length() - 1);
        if (!dataset.contains("/")) {
          throw new IllegalArgumentException(
              "curation."
                  + name
                  + ": datasets are named {tenant}/{dataset}, got '"
                  + dataset
                  + "'");
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
    BiConsumer<Builder, String> setter = KEYS.get(key);
    if (setter == null) {
      throw new IllegalArgumentException(
          "curation." + property + " is not a known policy property; known: " + KEYS.keySet());
    }
    try {
      Builder b = new Builder(p);
      setter.accept(b, value.strip());
      return b.build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "curation." + property + " = '" + value + "' is invalid: " + e.getMessage(), e);
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

  /** A mutable copy used only while applying one property. */
  private static final class Builder {
    int maxSeqLen;
    String chatTemplate;
    int maxTurns;
    int minResponseChars;
    double maxRepetition;
    double nearDuplicateThreshold;
    String shingles;
    int shingleSize;
    int charShingleSize;
    double contradictionMaxSimilarity;
    PiiAction pii;
    boolean filterRefusals;
    List<String> refusalPhrases;
    List<String> refusalPatterns;
    String tokenizerJson;
    boolean retrainEnabled;
    String adapter;
    int minNew;
    int minTotal;
    Duration schedule;
    double replayShare;
    int replayMax;
    int maxEvalExamples;
    boolean warmStart;
    double driftThreshold;
    int driftMinNew;
    String baseModel;
    String trainingTemplate;
    int loraR;
    float loraAlpha;
    List<String> targetModules;
    int numEpochs;
    float learningRate;
    int microBatchSize;
    int maxSteps;
    double evalFraction;

    Builder(CurationPolicy p) {
      maxSeqLen = p.maxSeqLen();
      chatTemplate = p.chatTemplate();
      maxTurns = p.maxTurns();
      minResponseChars = p.minResponseChars();
      maxRepetition = p.maxRepetition();
      nearDuplicateThreshold = p.nearDuplicateThreshold();
      shingles = p.shingles();
      shingleSize = p.shingleSize();
      charShingleSize = p.charShingleSize();
      contradictionMaxSimilarity = p.contradictionMaxSimilarity();
      pii = p.pii();
      filterRefusals = p.filterRefusals();
      refusalPhrases = p.refusalPhrases();
      refusalPatterns = p.refusalPatterns();
      tokenizerJson = p.tokenizerJson();
      RetrainPolicy r = p.retrain();
      retrainEnabled = r.enabled();
      adapter = r.adapter();
      minNew = r.minNew();
      minTotal = r.minTotal();
      schedule = r.schedule();
      replayShare = r.replayShare();
      replayMax = r.replayMax();
      maxEvalExamples = r.maxEvalExamples();
      warmStart = r.warmStart();
      driftThreshold = r.driftThreshold();
      driftMinNew = r.driftMinNew();
      TrainingDefaults t = p.training();
      baseModel = t.baseModel();
      trainingTemplate = t.chatTemplate();
      loraR = t.loraR();
      loraAlpha = t.loraAlpha();
      targetModules = t.targetModules();
      numEpochs = t.numEpochs();
      learningRate = t.learningRate();
      microBatchSize = t.microBatchSize();
      maxSteps = t.maxSteps();
      evalFraction = t.evalFraction();
    }

    CurationPolicy build() {
      return new CurationPolicy(
          maxSeqLen,
          chatTemplate,
          maxTurns,
          minResponseChars,
          maxRepetition,
          nearDuplicateThreshold,
          shingles,
          shingleSize,
          charShingleSize,
          contradictionMaxSimilarity,
          pii,
          filterRefusals,
          refusalPhrases,
          refusalPatterns,
          tokenizerJson,
          new RetrainPolicy(
              retrainEnabled,
              adapter,
              minNew,
              minTotal,
              schedule,
              replayShare,
              replayMax,
              maxEvalExamples,
              warmStart,
              driftThreshold,
              driftMinNew),
          new TrainingDefaults(
              baseModel,
              trainingTemplate,
              loraR,
              loraAlpha,
              targetModules,
              numEpochs,
              learningRate,
              microBatchSize,
              maxSteps,
              evalFraction));
    }
  }
}
