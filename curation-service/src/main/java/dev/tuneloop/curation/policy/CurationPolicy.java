package dev.tuneloop.curation.policy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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
 * @param shingles what near-duplicate shingles are made of: "chars" (default; robust on short
 *     texts) or "words"
 * @param shingleSize words per shingle when shingles are "words"
 * @param charShingleSize characters per shingle when shingles are "chars"
 * @param contradictionMaxSimilarity answers to the same prompt whose word Jaccard is below this
 *     diverge
 * @param pii what to do with personal data
 * @param filterRefusals whether refusal boilerplate is rejected (REFUSAL)
 * @param refusalPhrases lower-case phrases that mark a refusal in an assistant reply
 * @param refusalPatterns regular expressions (over the lower-cased reply, apostrophes and spaces
 *     folded) that mark a refusal
 * @param tokenizerJson path of the base model's tokenizer.json whose special added tokens are
 *     template markers too ("" = none)
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
    String shingles,
    int shingleSize,
    int charShingleSize,
    double contradictionMaxSimilarity,
    PiiAction pii,
    boolean filterRefusals,
    List<String> refusalPhrases,
    List<String> refusalPatterns,
    String tokenizerJson,
    RetrainPolicy retrain,
    TrainingDefaults training) {

  /**
   * Exact phrases. "I'm sorry, but I can't" and "I am not able to provide" were dropped from this
   * list: support agents write them before real answers ("I'm sorry, but I can't refund orders
   * older than 30 days; I can offer store credit"); the patterns below catch the refusals among
   * them.
   */
  public static final List<String> DEFAULT_REFUSAL_PHRASES =
      List.of(
          "as an ai language model",
          "as an ai assistant",
          "as a large language model",
          "i cannot fulfill that request",
          "i can't assist with that",
          "i'm unable to help with that");

  // Pieces of the default patterns: an inability, and the generic object a refusal ends on.
  private static final String CANNOT =
      "(?: can't| cannot| can not| am unable to|'m unable to| won't be able to| will not be able to"
          + "| am not able to|'m not able to| must decline to| won't| will not| am not allowed to"
          + "|'m not allowed to| am not permitted to|'m not permitted to)";
  private static final String GENERIC_OBJECT =
      "(?: you)?(?: (?:any |further )?(?:assistance|help|support|information|advice))?"
          + "(?: with| in| to| on| about)?(?: that| this| it| such(?: a)?| these| those| your request"
          + "| requests? (?:like|of) (?:this|that|these|those)(?: kind| type| nature)?)"
          + "(?: one| kind of| type of| sort of)?(?: information| content| request| requests| details"
          + "| assistance| advice| help| task| question| topic)?(?: for you)?"
          + "(?=\\s*(?:[.!;:]|$|,? (?:as|because|since|sorry|unfortunately|but i)))";

  /**
   * Refusals phrased freely. Each needs a refusal's shape (an inability ending on a generic object,
   * an apology before declining to help, an AI persona), not just an apology, so that "I'm sorry,
   * but I can't see that order yet" stays a support answer.
   */
  public static final List<String> DEFAULT_REFUSAL_PATTERNS =
      List.of(
          "\\bas an? (?:ai|artificial intelligence|language model|large language model|llm"
              + "|ai (?:language )?model|ai assistant|ai developed by|text-based ai)\\b",
          "\\bi(?:'m| am) (?:just |only |merely )?(?:an ai\\b|an artificial intelligence"
              + "|a (?:large )?language model|an ai (?:language )?model)",
          "\\b(?:i(?:'m| am) (?:sorry|afraid)|i apologi[sz]e|(?:my )?apologies|sorry|unfortunately)"
              + "[, ]+(?:but )?i"
              + CANNOT
              + " (?:help|assist|comply|fulfil+|engage"
              + "|provide (?:that|this|any|such|assistance|help))\\b",
          "\\bi"
              + CANNOT
              + " (?:help|assist|comply|fulfil+|provide|answer|engage|do|support|share"
              + "|discuss|create|write|generate|give|go along)"
              + GENERIC_OBJECT,
          "\\bit (?:would(?:n't| not)|is not|isn't) (?:be )?(?:appropriate|ethical|responsible)"
              + " (?:for me )?to\\b",
          "\\b(?:against|violates?|outside(?: of)?|goes against) (?:my|the) (?:guidelines"
              + "|programming|content polic(?:y|ies)|usage polic(?:y|ies)|ethical guidelines"
              + "|safety guidelines|principles)\\b",
          "\\bi(?:'m| am) not comfortable (?:providing|helping|assisting|discussing|sharing"
              + "|engaging|generating|writing|answering|with)\\b",
          "\\bi (?:must|have to|need to|will have to) (?:respectfully |politely )?decline\\b",
          "\\bi (?:don't|do not) have (?:personal )?(?:opinions|feelings|emotions|beliefs"
              + "|the ability to browse|access to (?:the internet|real-time))",
          "\\b(?:that|this|it)(?:'s| is) not something i (?:can|am able to|'m able to|will)"
              + " (?:help|assist|do|provide|discuss)\\b",
          "\\bi(?:'m| am) (?:programmed|designed) (?:not )?to (?:avoid|refuse|decline|not)\\b");

  public static final CurationPolicy DEFAULTS =
      new CurationPolicy(
          512,
          "",
          64,
          3,
          0.5,
          0.8,
          "chars",
          3,
          5,
          0.5,
          PiiAction.REDACT,
          true,
          DEFAULT_REFUSAL_PHRASES,
          DEFAULT_REFUSAL_PATTERNS,
          "",
          RetrainPolicy.DEFAULTS,
          TrainingDefaults.DEFAULTS);

  public CurationPolicy {
    requireRange("max-seq-len", maxSeqLen, 1, Integer.MAX_VALUE);
    requireRange("max-turns", maxTurns, 2, Integer.MAX_VALUE);
    requireRange("min-response-chars", minResponseChars, 0, Integer.MAX_VALUE);
    requireFraction("max-repetition", maxRepetition);
    requireFraction("near-duplicate-threshold", nearDuplicateThreshold);
    if (!"chars".equals(shingles) && !"words".equals(shingles)) {
      throw new IllegalArgumentException(
          "curation policy near-duplicate-shingles is '" + shingles + "'; use chars or words");
    }
    requireRange("shingle-size", shingleSize, 1, 16);
    requireRange("char-shingle-size", charShingleSize, 2, 16);
    requireFraction("contradiction-max-similarity", contradictionMaxSimilarity);
    chatTemplate = chatTemplate == null ? "" : chatTemplate;
    tokenizerJson = tokenizerJson == null ? "" : tokenizerJson;
    if (!tokenizerJson.isBlank() && !Files.isReadable(Path.of(tokenizerJson))) {
      throw new IllegalArgumentException(
          "curation policy tokenizer-json names "
              + tokenizerJson
              + ", which is not a readable file");
    }
    refusalPhrases = List.copyOf(refusalPhrases);
    refusalPatterns = List.copyOf(refusalPatterns);
    for (String p : refusalPatterns) {
      try {
        Pattern.compile(p);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "curation policy refusal-patterns has an invalid regular expression '"
                + p
                + "': "
                + e.getDescription());
      }
    }
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
