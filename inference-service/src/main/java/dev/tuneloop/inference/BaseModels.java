package dev.tuneloop.inference;

import dev.tuneloop.inference.adapters.ObjectDirectory;
import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.Checkpoints;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.platform.storage.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the base model a configuration names: built in, on local disk, or in the object store. */
public final class BaseModels {
  private static final Logger LOG = LoggerFactory.getLogger(BaseModels.class);

  private BaseModels() {}

  /**
   * @param spec "stories260K", a local checkpoint path (file or Hugging Face directory), or an
   *     object key prefix such as {@code models/my-model/}
   */
  public static LoadedModel load(String spec, ObjectStore store) {
    long started = System.nanoTime();
    LoadedModel model;
    if (spec.equals(BuiltinModels.STORIES260K)) {
      model = BuiltinModels.stories260K();
    } else if (Files.exists(Path.of(spec))) {
      model = Checkpoints.load(Path.of(spec));
    } else if (store != null) {
      try (ObjectDirectory files = ObjectDirectory.download(store, spec)) {
        model = Checkpoints.load(files.path());
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "base model \""
                + spec
                + "\" is neither built in, a local path, nor "
                + "loadable from the object store: "
                + e.getMessage(),
            e);
      }
    } else {
      throw new IllegalStateException(
          "base model \"" + spec + "\" is neither built in nor a local path");
    }
    LOG.info(
        "base model {} (sha256 {}) loaded in {} ms",
        model.id().name(),
        model.id().sha256(),
        (System.nanoTime() - started) / 1_000_000);
    return model;
  }
}
