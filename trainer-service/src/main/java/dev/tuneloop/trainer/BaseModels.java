package dev.tuneloop.trainer;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.Checkpoints;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.servicekit.models.BaseModelResolver;
import java.io.IOException;

/**
 * Loads a job's base model from where the shared {@link BaseModelResolver} (the rule the inference
 * service follows too) says it may come from: built in, {@code models/} in the object store, or an
 * operator-allowed directory.
 */
public final class BaseModels {

  private final BaseModelResolver resolver;

  public BaseModels(BaseModelResolver resolver) {
    this.resolver = resolver;
  }

  /**
   * @throws IllegalArgumentException naming the model and what is wrong, when it cannot be found
   */
  public LoadedModel load(String baseModel) throws IOException {
    return switch (resolver.resolve(baseModel)) {
      case BaseModelResolver.Source.Builtin b -> BuiltinModels.stories260K();
      case BaseModelResolver.Source.LocalFiles files -> Checkpoints.load(files.path());
    };
  }
}
