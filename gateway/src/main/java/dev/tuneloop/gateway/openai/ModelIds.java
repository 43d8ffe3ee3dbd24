package dev.tuneloop.gateway.openai;

import dev.tuneloop.proto.v1.AdapterInfo;
import dev.tuneloop.proto.v1.ListAdaptersResponse;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.SequencedSet;
import java.util.TreeMap;

/**
 * The model ids a tenant can chat with, as OpenAI's model list shows them: {@code base}; each
 * adapter's plain {@code name} while it has a production version (a plain name means production, so
 * without one it answers nothing); {@code name@alias} for its other aliases ({@code
 * name@candidate}: {@code name@production} is the plain name again); and {@code name@version} for
 * every version inference has.
 */
final class ModelIds {
  static final String PRODUCTION = "production";

  private ModelIds() {}

  static SequencedSet<String> of(ListAdaptersResponse adapters) {
    SequencedSet<String> ids = new LinkedHashSet<>();
    ids.add(ChatCompletionRequest.BASE_MODEL);
    for (AdapterInfo info : adapters.getAdaptersList()) {
      String name = info.getAdapter().getName();
      if (!info.getServingVersion().isEmpty() || info.containsAliases(PRODUCTION)) {
        ids.add(name);
      }
      for (Map.Entry<String, String> alias : new TreeMap<>(info.getAliasesMap()).entrySet()) {
        if (!alias.getKey().equals(PRODUCTION)) {
          ids.add(name + "@" + alias.getKey());
        }
      }
      ids.add(name + "@" + info.getAdapter().getVersion());
    }
    return ids;
  }

  /** Whether {@code model} is one of the ids, or {@code name@production} (the plain name). */
  static boolean isKnown(ListAdaptersResponse adapters, String model) {
    SequencedSet<String> ids = of(adapters);
    String production = "@" + PRODUCTION;
    return ids.contains(model)
        || model.endsWith(production)
            && ids.contains(model.substring(0, model.length() - production.length()));
  }
}
