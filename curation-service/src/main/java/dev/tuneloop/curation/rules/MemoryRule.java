package dev.tuneloop.curation.rules;

import dev.tuneloop.curation.memory.ContentHash;
import dev.tuneloop.curation.memory.DatasetMemory;
import dev.tuneloop.curation.memory.LshIndex;
import dev.tuneloop.curation.text.Text;
import dev.tuneloop.proto.v1.RejectReason;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules that compare an example with what the dataset already accepted: exact duplicates (same
 * content hash), near duplicates (MinHash similarity at or above the threshold) and contradictions
 * (same normalised prompt, a divergent answer). Answers diverge when their word Jaccard similarity
 * is below contradiction-max-similarity, when both state numbers and the numbers differ ("30 days"
 * vs "14 days"), or when one opens with yes and the other with no.
 */
public final class MemoryRule implements Rule {

  private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");

  private final DatasetMemory memory;

  public MemoryRule(DatasetMemory memory) {
    this.memory = memory;
  }

  @Override
  public void apply(Candidate c) {
    String hash = ContentHash.of(c.messages());
    String same = memory.exampleWithContent(hash);
    if (same != null) {
      c.reject(new Rejection(RejectReason.EXACT_DUPLICATE, DuplicateMatch.exactDetail(same)));
      return;
    }
    long[] signature = memory.signature(c.messages());
    c.signature(signature);
    LshIndex.Hit near = memory.nearest(signature);
    if (near != null) {
      c.reject(
          new Rejection(
              RejectReason.NEAR_DUPLICATE,
              DuplicateMatch.nearDetail(
                  near.id(), near.similarity(), c.policy().nearDuplicateThreshold())));
      return;
    }
    for (DatasetMemory.PriorAnswer prior : memory.answersTo(c.promptMessages())) {
      String why =
          divergence(prior.answer(), c.finalReply(), c.policy().contradictionMaxSimilarity());
      if (why != null) {
        c.reject(
            new Rejection(
                RejectReason.CONTRADICTION,
                "same prompt as curated example "
                    + prior.exampleId()
                    + " but the answer diverges: "
                    + why));
        return;
      }
    }
  }

  /** Why two answers to one prompt disagree, or null when they agree closely enough. */
  static String divergence(String earlier, String later, double maxSimilarity) {
    Set<String> a = numbers(earlier);
    Set<String> b = numbers(later);
    if (!a.isEmpty() && !b.isEmpty() && !a.equals(b)) {
      return "it states " + b + " where the earlier answer states " + a;
    }
    List<String> wa = Text.words(earlier);
    List<String> wb = Text.words(later);
    if (!wa.isEmpty()
        && !wb.isEmpty()
        && polar(wa.getFirst())
        && polar(wb.getFirst())
        && !wa.getFirst().equals(wb.getFirst())) {
      return "it answers '"
          + wb.getFirst()
          + "' where the earlier answer says '"
          + wa.getFirst()
          + "'";
    }
    double similarity = Text.jaccard(new HashSet<>(wa), new HashSet<>(wb));
    if (similarity < maxSimilarity) {
      return String.format(
          Locale.ROOT,
          "word overlap %.2f is below contradiction-max-similarity %.2f",
          similarity,
          maxSimilarity);
    }
    return null;
  }

  private static boolean polar(String word) {
    return word.equals("yes") || word.equals("no");
  }

  private static Set<String> numbers(String text) {
    Set<String> found = new TreeSet<>();
    Matcher m = NUMBER.matcher(text);
    while (m.find()) {
      found.add(m.group());
    }
    return found;
  }
}
