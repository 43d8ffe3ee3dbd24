package dev.tuneloop.curation.policy;

import java.util.Map;

/** The policy of every dataset: the defaults, overridden per "{tenant}/{dataset}". */
public record PolicyBook(CurationPolicy defaults, Map<String, CurationPolicy> overrides) {

  public static PolicyBook of(CurationPolicy defaults) {
    return new PolicyBook(defaults, Map.of());
  }

  public PolicyBook {
    overrides = Map.copyOf(overrides);
  }

  public CurationPolicy policyFor(String tenant, String dataset) {
    return overrides.getOrDefault(tenant + "/" + dataset, defaults);
  }
}
