package dev.tuneloop.platform.dataset;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The frozen held-out split: whether an example is for evaluation depends only on its id and the
 * eval fraction, never on which snapshot it is in or how many examples came before. An example that
 * was held out once stays held out in every retrain, so a candidate is never evaluated on what an
 * earlier version trained on. Curation (which cuts snapshots) and the trainer (which splits them)
 * use this one rule.
 */
public final class EvalSplit {

  private EvalSplit() {}

  /** Whether the example with this id belongs to the eval split at {@code fraction} (0..1). */
  public static boolean isEval(String exampleId, double fraction) {
    if (fraction <= 0) {
      return false;
    }
    if (fraction >= 1) {
      return true;
    }
    return position(exampleId) < fraction;
  }

  /** The id's place in [0, 1): the first 53 bits of its SHA-256. */
  static double position(String exampleId) {
    byte[] digest;
    try {
      digest =
          MessageDigest.getInstance("SHA-256").digest(exampleId.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long bits = 0;
    for (int i = 0; i < 8; i++) {
      bits = (bits << 8) | (digest[i] & 0xFF);
    }
    return (bits >>> 11) * 0x1.0p-53;
  }
}
