package dev.tuneloop.curation.rules;

import dev.tuneloop.curation.memory.ContentHash;
import dev.tuneloop.curation.memory.DatasetMemory;
import dev.tuneloop.curation.memory.MinHash;
import dev.tuneloop.curation.policy.CurationPolicy;
import dev.tuneloop.platform.kafka.Timestamps;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.RejectReason;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Curates one dataset: runs the rules that look at an example alone, then (only for examples that
 * passed them) the rules that compare it with what the dataset already accepted, and remembers the
 * outcome. Not thread-safe: one dataset is curated by one consumer thread.
 */
public final class DatasetCurator {

  /** Bumps when the rules change meaning; stored with every decision. */
  public static final int CURATION_VERSION = 2;

  private final CurationPolicy policy;
  private final DatasetMemory memory;
  private final List<Rule> standalone;
  private final MemoryRule compare;
  private final Clock clock;

  public DatasetCurator(CurationPolicy policy, TemplateProfile template, Clock clock) {
    this.policy = policy;
    MinHash minHash =
        policy.shingles().equals("chars")
            ? new MinHash(policy.charShingleSize(), true)
            : new MinHash(policy.shingleSize(), false);
    this.memory = new DatasetMemory(minHash, policy.nearDuplicateThreshold());
    List<String> markers = new ArrayList<>(template.delimiters());
    if (!policy.tokenizerJson().isBlank()) {
      markers.addAll(TemplateMarkers.specialTokens(Path.of(policy.tokenizerJson())));
    }
    // PII runs before the length and quality rules so they judge what would be trained on (redacted
    // text).
    this.standalone =
        List.of(
            new StructureRule(),
            new InvalidTextRule(),
            new InjectionRule(markers, template.usesHashHeaders()),
            new PiiRule(),
            new RefusalRule(policy),
            new QualityRule(),
            new LengthRule(template.tokens()));
    this.compare = new MemoryRule(memory);
    this.clock = clock;
  }

  public Decision decide(Example example) {
    if (memory.decided(example.getId())) {
      return new Decision.Rejected(
          List.of(
              new Rejection(
                  RejectReason.EXACT_DUPLICATE,
                  "example id "
                      + example.getId()
                      + " was already decided (a retried submission)")));
    }
    Candidate c = new Candidate(example, policy, Normalizer.messages(example));
    for (Rule rule : standalone) {
      rule.apply(c);
    }
    if (!c.rejected()) {
      compare.apply(c);
    }
    if (c.rejected()) {
      memory.rememberRejected(example.getId());
      return new Decision.Rejected(c.rejections());
    }
    CuratedExample curated =
        CuratedExample.newBuilder()
            .setExample(example)
            .addAllMessages(c.messages())
            .setTokenCount(c.tokenCount())
            .setContentHash(ContentHash.of(c.messages()))
            .setCurationVersion(CURATION_VERSION)
            .addAllNotes(c.notes())
            .setCuratedAt(Timestamps.of(clock.instant()))
            .build();
    memory.rememberCurated(curated, c.signature());
    return new Decision.Curated(curated);
  }

  /** Replays an earlier decision (state rebuild after a restart). */
  public void replayCurated(CuratedExample curated) {
    memory.rememberCurated(curated);
  }

  public void replayRejected(String exampleId) {
    memory.rememberRejected(exampleId);
  }

  public CurationPolicy policy() {
    return policy;
  }
}
