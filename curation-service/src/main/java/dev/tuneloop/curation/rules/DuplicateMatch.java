package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.RejectReason;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The curated example a duplicate matched, and how closely. {@link MemoryRule} writes it into the
 * rejection's detail and the quality report reads it back from there: the detail on
 * examples.rejected is the only record of the match, and the report is rebuilt from that topic.
 *
 * @param similarity 1 for an exact duplicate; a near duplicate's as the detail states it (whole
 *     percent)
 */
public record DuplicateMatch(String curatedExampleId, double similarity) {

  private static final String EXACT_PREFIX = "same content as curated example ";
  private static final Pattern NEAR =
      Pattern.compile(
          "(\\d{1,3})% similar to curated example (\\S+) \\(near-duplicate-threshold \\d{1,3}%\\)");

  static String exactDetail(String curatedExampleId) {
    return EXACT_PREFIX + curatedExampleId;
  }

  static String nearDetail(String curatedExampleId, double similarity, double threshold) {
    return String.format(
        Locale.ROOT,
        "%.0f%% similar to curated example %s (near-duplicate-threshold %.0f%%)",
        similarity * 100,
        curatedExampleId,
        threshold * 100);
  }

  /**
   * The match a duplicate rejection names; empty for other reasons and for a retried id (an
   * EXACT_DUPLICATE that matched no curated example).
   */
  public static Optional<DuplicateMatch> of(RejectReason reason, String detail) {
    if (reason == RejectReason.EXACT_DUPLICATE && detail.startsWith(EXACT_PREFIX)) {
      String id = detail.substring(EXACT_PREFIX.length());
      return id.isEmpty() ? Optional.empty() : Optional.of(new DuplicateMatch(id, 1.0));
    }
    if (reason == RejectReason.NEAR_DUPLICATE) {
      Matcher m = NEAR.matcher(detail);
      if (m.matches()) {
        return Optional.of(new DuplicateMatch(m.group(2), Integer.parseInt(m.group(1)) / 100.0));
      }
    }
    return Optional.empty();
  }
}
