package dev.tuneloop.curation.policy;

import java.util.List;

/**
 * The rules one dataset is curated by. Configuration keys are the kebab-case component names under
 * {@code curation.defaults} or {@code curation.datasets.{tenant}/{dataset}} (see the README).
 *
 * @param maxSeqLen the base model's context: longer rendered examples are TOO_LONG
 * @param chatTemplate the template examples are rendered with for token counts ("" = the base
 *     model's default)
 * @param maxTurns messages per example before LIMIT_EXCEEDED
 * @param minResponseChars non-blank characters the final reply needs, else LOW_QUALITY
 * @param maxRepetition share of repeated word trigrams in a reply above which it is LOW_QUALITY
 * @param nearDuplicateThreshold estimated Jaccard similarity (MinHash) at or above which an example
 *     is NEAR_DUPLICATE
 * @param shingleSize words per shingle for near-duplicate detection
 * @param contradictionMaxSimilarity answers to the same prompt whose word Jaccard is below this
 *     diverge
 * @param pii what to do with personal data
 * @param filterRefusals whether refusal boilerplate is rejected (REFUSAL)
 * @param refusalPhrases lower-case phrases that mark a refusal in an assistant reply
 * @param retrain when to ask for a new adapter
 * @param training the hyperparameters put in the training request
 */
public record CurationPolicy(
    int maxSeqLen,
    String chatTemplate,
    int maxTurns,
    int minResponseChars,
    double maxRepetition,
    double nearDuplicateThreshold,
    int shingleSize,
    double contradictionMaxSimilarity,
    PiiAction pii,
    boolean filterRefusals,
    List<String> refusalPhrases,
    RetrainPolicy retrain,
    TrainingDefaults training) {

  public static final List<String> DEFAULT_REFUSAL_PHRASES =
      List.of(
          "as an ai language model",
          "as an ai assistant",
          "as a large language model",
          "i'm sorry, but i can't",
          "i am sorry, but i cannot",
          "i'm sorry, but i cannot",
          "i cannot fulfill that request",
          "i can't assist with that",
          "i'm unable to help with that",
          "i am not able to provide");

  public static final CurationPolicy DEFAULTS =
      new CurationPolicy(
          512,
          "",
          64,
          3,
          0.5,
          0.8,
          3,
          0.5,
          PiiAction.REDACT,
          true,
          DEFAULT_REFUSAL_PHRASES,
          RetrainPolicy.DEFAULTS,
          TrainingDefaults.DEFAULTS);

  public CurationPolicy {
    requireRange("max-seq-len", maxSeqLen, 1, Integer.MAX_VALUE);
    requireRange("max-turns", maxTurns, 2, Integer.MAX_VALUE);
    requireRange("min-response-chars", minResponseChars, 0, Integer.MAX_VALUE);
    requireFraction("max-repetition", maxRepetition);
    requireFraction("near-duplicate-threshold", nearDuplicateThreshold);
    requireRange("shingle-size", shingleSize, 1, 16);
    requireFraction("contradiction-max-similarity", contradictionMaxSimilarity);
    chatTemplate = chatTemplate == null ? "" : chatTemplate;
    refusalPhrases = List.copyOf(refusalPhrases);
  }

  private static void requireRange(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "curation policy "
              + key
              + " is "
              + value
              + "; it must be between "
              + min
              + " and "
              + max);
    }
  }

  private static void requireFraction(String key, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(
          "curation policy " + key + " is " + value + "; it must be between 0 and 1");
    }
  }
}
