package dev.tuneloop.curation.rules;

import dev.tuneloop.proto.v1.CuratedExample;
import java.util.List;

/**
 * What curation decided for one example: accepted as curated, or rejected with at least one reason.
 */
public sealed interface Decision {

  record Curated(CuratedExample example) implements Decision {}

  record Rejected(List<Rejection> rejections) implements Decision {
    public Rejected {
      if (rejections.isEmpty()) {
        throw new IllegalArgumentException("a rejection needs at least one reason");
      }
      rejections = List.copyOf(rejections);
    }
  }
}
