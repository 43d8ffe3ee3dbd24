package dev.tuneloop.servicekit.models;

import dev.tuneloop.platform.storage.ObjectInfo;
import dev.tuneloop.platform.storage.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one rule for where a base model may come from, shared by the trainer (a job's {@code
 * base_model}) and the inference service (its configured model), so the two can never disagree: a
 * built-in name, an object key under {@code models/} (downloaded once into a local cache), or a
 * path inside a directory an operator listed in {@code tuneloop.models.allowed-model-dirs}. Nothing
 * else: a job cannot make the trainer read an arbitrary file of its host.
 *
 * <p>This class only finds the files; loading them is the llm module's job, which service-kit does
 * not depend on.
 */
public final class BaseModelResolver {

  /**
   * Where the checkpoint is: a built-in's name, or local files (file or Hugging Face directory).
   */
  public sealed interface Source {
    record Builtin(String name) implements Source {}

    record LocalFiles(Path path) implements Source {}
  }

  public static final String SETTING = "tuneloop.models.allowed-model-dirs";
  private static final String PREFIX = "models/";
  private static final Pattern KEY = Pattern.compile("models/[A-Za-z0-9._/-]{1,1000}");

  private final Set<String> builtins;
  private final ObjectStore store;
  private final Path cache;
  private final List<Path> allowedDirs;

  /**
   * @param builtins names of the models shipped in the llm module (e.g. {@code stories260K})
   * @param cache where objects under {@code models/} are downloaded (kept between jobs)
   * @param allowedDirs {@link ModelsConfiguration#allowedModelDirs()}; each must be absolute
   */
  public BaseModelResolver(
      Set<String> builtins, ObjectStore store, Path cache, List<String> allowedDirs) {
    this.builtins = Set.copyOf(builtins);
    this.store = store;
    this.cache = cache.toAbsolutePath().normalize();
    this.allowedDirs =
        allowedDirs.stream()
            .map(
                d -> {
                  Path p = Path.of(d);
                  if (!p.isAbsolute()) {
                    throw new IllegalArgumentException(
                        SETTING + ": \"" + d + "\" must be an absolute directory");
                  }
                  return p.normalize();
                })
            .toList();
  }

  /**
   * Refuses a name no rule allows, without downloading anything (for an API's answer before
   * queueing a job).
   *
   * @throws InvalidBaseModelException naming the model and what would allow it
   */
  public void check(String spec) {
    if (builtins.contains(spec)) {
      return;
    }
    if (spec.startsWith(PREFIX)) {
      objectKey(spec);
      return;
    }
    allowedLocal(spec);
  }

  /**
   * Finds the model's files, downloading an object key's objects into the cache first.
   *
   * @throws InvalidBaseModelException when no rule allows the name or nothing is stored there
   */
  public Source resolve(String spec) throws IOException {
    if (builtins.contains(spec)) {
      return new Source.Builtin(spec);
    }
    if (spec.startsWith(PREFIX)) {
      return new Source.LocalFiles(fetch(objectKey(spec)));
    }
    return new Source.LocalFiles(allowedLocal(spec));
  }

  private String objectKey(String spec) {
    if (!KEY.matcher(spec).matches()
        || spec.contains("..")
        || spec.contains("//")
        || spec.contains("/./")) {
      throw new InvalidBaseModelException(
          "base model \""
              + spec
              + "\": an object key under models/ may use letters, digits, '.', '_', '-' and '/'"
              + " only, without \"..\" or empty segments");
    }
    return spec;
  }

  private Path allowedLocal(String spec) {
    String rule =
        "built in ("
            + String.join(", ", builtins.stream().sorted().toList())
            + "), an object key under models/, nor a path inside "
            + SETTING;
    if (allowedDirs.isEmpty()) {
      throw new InvalidBaseModelException(
          "base model \"" + spec + "\" is neither " + rule + " (none is allowed: the default)");
    }
    Path path;
    try {
      path = Path.of(spec);
    } catch (RuntimeException e) {
      throw new InvalidBaseModelException("base model \"" + spec + "\" is neither " + rule);
    }
    if (!path.isAbsolute()) {
      throw new InvalidBaseModelException(
          "base model \"" + spec + "\": a local path must be absolute, inside " + SETTING);
    }
    Path real;
    try {
      real = path.toRealPath(); // a symbolic link must not lead outside an allowed directory
    } catch (IOException e) {
      throw new InvalidBaseModelException(
          "base model \"" + spec + "\" does not exist on this machine");
    }
    for (Path dir : allowedDirs) {
      Path allowed;
      try {
        allowed = dir.toRealPath();
      } catch (IOException e) {
        continue; // a listed directory that does not exist allows nothing
      }
      if (real.startsWith(allowed)) {
        return real;
      }
    }
    throw new InvalidBaseModelException("base model \"" + spec + "\" is neither " + rule);
  }

  /**
   * Downloads an object key's objects: a prefix (a Hugging Face directory), or one file (a llama2.c
   * .bin) with the files beside it (its tokenizer). Already cached files are not fetched again.
   */
  private Path fetch(String key) throws IOException {
    String prefix = key.endsWith("/") ? key : key + "/";
    List<ObjectInfo> objects = store.list(prefix);
    if (!objects.isEmpty()) {
      for (ObjectInfo object : objects) {
        download(object.key());
      }
      return cache.resolve(prefix);
    }
    if (!store.exists(key)) {
      throw new InvalidBaseModelException(
          "base model \"" + key + "\": nothing is stored under that key in the object store");
    }
    String parent = key.substring(0, key.lastIndexOf('/') + 1);
    for (ObjectInfo sibling : store.list(parent)) {
      if (sibling.key().indexOf('/', parent.length()) < 0) {
        download(sibling.key());
      }
    }
    return cache.resolve(key);
  }

  private void download(String key) throws IOException {
    Path target = cache.resolve(key).normalize();
    if (!target.startsWith(cache)) {
      throw new InvalidBaseModelException("object key " + key + " escapes the model cache");
    }
    if (!Files.exists(target)) {
      Files.createDirectories(target.getParent());
      store.download(key, target);
    }
  }
}
