package dev.tuneloop.trainer.registry;

import dev.tuneloop.platform.config.Names;
import dev.tuneloop.proto.v1.AdapterAliases;
import dev.tuneloop.proto.v1.AdapterDetails;
import dev.tuneloop.proto.v1.AdapterPublished;
import dev.tuneloop.proto.v1.AdapterVersion;
import dev.tuneloop.proto.v1.GoldenPrompt;
import dev.tuneloop.proto.v1.PromotionPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The registry's API without its transport: an adapter's versions, aliases and history, manual
 * promotion and rollback, a dataset's golden prompts and promotion policy. Every call is for one
 * tenant (the caller's), and every name is checked by platform's {@link Names}.
 */
public final class AdapterRegistry {

  private static final Duration CATCH_UP = Duration.ofSeconds(30);

  private final AliasView view;
  private final AliasWriter writer;
  private final AdapterVersions files;
  private final GoldenPromptsStore golden;
  private final PromotionPolicies policies;

  public AdapterRegistry(
      AliasView view,
      AliasWriter writer,
      AdapterVersions files,
      GoldenPromptsStore golden,
      PromotionPolicies policies) {
    this.view = view;
    this.writer = writer;
    this.files = files;
    this.golden = golden;
    this.policies = policies;
  }

  /**
   * @throws RegistryException NOT_FOUND when the tenant has no version of the adapter
   */
  public AdapterDetails get(String tenant, String name) throws Exception {
    check("name", name);
    view.awaitCaughtUp(CATCH_UP);
    List<AdapterPublished> versions = view.versions(tenant, name);
    if (versions.isEmpty()) {
      throw new RegistryException(
          RegistryException.Kind.NOT_FOUND, "adapter '" + name + "' has no published versions");
    }
    AdapterAliases aliases = view.aliases(tenant, name).orElse(AdapterAliases.getDefaultInstance());
    var details =
        AdapterDetails.newBuilder()
            .setTenant(tenant)
            .setName(name)
            .putAllAliases(aliases.getAliasesMap())
            .addAllHistory(aliases.getHistoryList());
    for (AdapterPublished version : versions) {
      var entry = AdapterVersion.newBuilder().setAdapter(version);
      files.eval(version).ifPresent(entry::setEval);
      aliases.getAliasesMap().entrySet().stream()
          .filter(e -> e.getValue().equals(version.getVersion()))
          .map(Map.Entry::getKey)
          .sorted()
          .forEach(entry::addAliases);
      details.addVersions(entry);
    }
    return details.build();
  }

  public AdapterDetails promote(String tenant, String name, String version, String reason)
      throws Exception {
    check("name", name);
    if (version.isEmpty()) {
      throw invalid("version: is required (a version id, as GetAdapter lists them)");
    }
    if (version.equals(AliasWriter.PRODUCTION) || version.equals(AliasWriter.CANDIDATE)) {
      throw invalid(
          "version: give a version id, not the alias '"
              + version
              + "' (GetAdapter lists each alias's version)");
    }
    writer.promote(tenant, name, version, actor(tenant), reason(reason, "promoted by API"));
    return get(tenant, name);
  }

  /**
   * @throws RegistryException PRECONDITION when production has no earlier version to go back to
   */
  public AdapterDetails rollback(String tenant, String name, String reason) throws Exception {
    check("name", name);
    view.awaitCaughtUp(CATCH_UP);
    if (view.versions(tenant, name).isEmpty()) {
      throw new RegistryException(
          RegistryException.Kind.NOT_FOUND, "adapter '" + name + "' has no published versions");
    }
    writer.rollback(tenant, name, actor(tenant), reason(reason, "rolled back by API"));
    return get(tenant, name);
  }

  public int putGolden(String tenant, String dataset, List<GoldenPrompt> prompts, boolean replace) {
    check("dataset", dataset);
    return golden.put(tenant, dataset, prompts, replace);
  }

  public List<GoldenPrompt> golden(String tenant, String dataset) {
    check("dataset", dataset);
    return golden.get(tenant, dataset);
  }

  public PromotionPolicy policy(String tenant, String dataset) {
    check("dataset", dataset);
    return policies.effective(tenant, dataset);
  }

  public PromotionPolicy setPolicy(String tenant, String dataset, PromotionPolicy policy) {
    check("dataset", dataset);
    return policies.set(tenant, dataset, policy);
  }

  /** Who an API move is recorded as. */
  static String actor(String tenant) {
    return "tenant:" + tenant;
  }

  private static String reason(String given, String fallback) {
    return given == null || given.isBlank() ? fallback : given;
  }

  private static void check(String field, String value) {
    String problem = Names.nameProblem(value);
    if (problem != null) {
      throw invalid(field + ": " + problem);
    }
  }

  private static RegistryException invalid(String message) {
    return new RegistryException(RegistryException.Kind.INVALID, message);
  }
}
