package dev.tuneloop.inference;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.Checkpoints;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.servicekit.models.BaseModelResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the base model the configuration names, from where the shared {@link BaseModelResolver}
 * (the rule the trainer follows too) allows: built in, {@code models/} in the object store, or an
 * operator-allowed directory.
 */
public final class BaseModels {
  private static final Logger LOG = LoggerFactory.getLogger(BaseModels.class);

  private BaseModels() {}

  /**
   * @param spec "stories260K", an object key under {@code models/}, or a path inside {@code
   *     tuneloop.models.allowed-model-dirs}
   * @throws IllegalArgumentException naming the model and what would allow it
   */
  public static LoadedModel load(String spec, ObjectStore store, List<String> allowedModelDirs) {
    long started = System.nanoTime();
    Path downloads;
    try {
      downloads = Files.createTempDirectory("tuneloop-base-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LoadedModel model;
    try {
      var resolver =
          new BaseModelResolver(
              Set.of(BuiltinModels.STORIES260K), store, downloads, allowedModelDirs);
      model =
          switch (resolver.resolve(spec)) {
            case BaseModelResolver.Source.Builtin b -> BuiltinModels.stories260K();
            case BaseModelResolver.Source.LocalFiles files -> Checkpoints.load(files.path());
          };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot download base model " + spec, e);
    } finally {
      deleteTree(downloads); // the weights are in memory now
    }
    LOG.info(
        "base model {} (sha256 {}) loaded in {} ms",
        model.id().name(),
        model.id().sha256(),
        (System.nanoTime() - started) / 1_000_000);
    return model;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
