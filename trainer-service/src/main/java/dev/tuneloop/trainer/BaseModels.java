package dev.tuneloop.trainer;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.Checkpoints;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.platform.storage.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds a job's base model: {@code stories260K} (built in), an object key under {@code models/} (a
 * llama2.c file or a Hugging Face directory, downloaded once into the cache folder), or a path on
 * this machine.
 */
public final class BaseModels {

  private final ObjectStore store;
  private final Path cache;

  public BaseModels(ObjectStore store, Path cache) {
    this.store = store;
    this.cache = cache;
  }

  /**
   * @throws IllegalArgumentException naming the model and what is wrong, when it cannot be found
   */
  public LoadedModel load(String baseModel) throws IOException {
    if (baseModel.equals(BuiltinModels.STORIES260K)) {
      return BuiltinModels.stories260K();
    }
    if (baseModel.startsWith("models/")) {
      return Checkpoints.load(fetch(baseModel));
    }
    Path local = Path.of(baseModel);
    if (!Files.exists(local)) {
      throw new IllegalArgumentException(
          "base_model: \""
              + baseModel
              + "\" is neither \"stories260K\", an object"
              + " key under models/, nor an existing local path");
    }
    return Checkpoints.load(local);
  }

  /**
   * Downloads an object (a .bin file with its tokenizer beside it) or a prefix (a directory) into
   * the cache.
   */
  private Path fetch(String key) throws IOException {
    String prefix = key.endsWith("/") ? key : key + "/";
    var objects = store.list(prefix);
    boolean directory = !objects.isEmpty();
    if (!directory && !store.exists(key)) {
      throw new IllegalArgumentException(
          "base_model: no object "
              + key
              + " (nor objects under "
              + prefix
              + ") in bucket "
              + store.bucket());
    }
    if (directory) {
      for (var object : objects) {
        download(object.key());
      }
      return cache.resolve(prefix);
    }
    String parent = key.substring(0, key.lastIndexOf('/') + 1);
    for (var sibling : store.list(parent)) { // the tokenizer lies beside the .bin
      if (sibling.key().indexOf('/', parent.length()) < 0) {
        download(sibling.key());
      }
    }
    return cache.resolve(key);
  }

  private void download(String key) throws IOException {
    Path target = cache.resolve(key);
    if (!Files.exists(target)) {
      Files.createDirectories(target.getParent());
      store.download(key, target);
    }
  }
}
