package dev.tuneloop.curation.pipeline;

import dev.tuneloop.curation.policy.PolicyBook;
import dev.tuneloop.curation.rules.DatasetCurator;
import dev.tuneloop.curation.rules.Decision;
import dev.tuneloop.curation.rules.Rejection;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.RejectReason;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link DatasetCurator} per "{tenant}/{dataset}", each with its dataset's policy. Used by one
 * thread.
 */
public final class Curator {

  private final PolicyBook policies;
  private final TemplateProfiles templates;
  private final Clock clock;
  private final Map<String, DatasetCurator> datasets = new HashMap<>();

  public Curator(PolicyBook policies, TemplateProfiles templates, Clock clock) {
    this.policies = policies;
    this.templates = templates;
    this.clock = clock;
  }

  public Decision decide(Example example) {
    if (example.getTenant().isBlank() || example.getDataset().isBlank()) {
      return new Decision.Rejected(
          List.of(new Rejection(RejectReason.EMPTY_FIELD, "example has no tenant or dataset")));
    }
    return dataset(example.getTenant(), example.getDataset()).decide(example);
  }

  public void replayCurated(CuratedExample curated) {
    dataset(curated.getExample().getTenant(), curated.getExample().getDataset())
        .replayCurated(curated);
  }

  public void replayRejected(Example example) {
    if (!example.getTenant().isBlank() && !example.getDataset().isBlank()) {
      dataset(example.getTenant(), example.getDataset()).replayRejected(example.getId());
    }
  }

  public PolicyBook policies() {
    return policies;
  }

  private DatasetCurator dataset(String tenant, String dataset) {
    return datasets.computeIfAbsent(
        tenant + "/" + dataset,
        k -> {
          var policy = policies.policyFor(tenant, dataset);
          return new DatasetCurator(policy, templates.forPolicy(policy), clock);
        });
  }
}
