package dev.tuneloop.inference.adapters;

import dev.tuneloop.platform.storage.ObjectInfo;
import dev.tuneloop.platform.storage.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A folder of the object store (a key prefix) copied to a local temporary directory, deleted on
 * close.
 */
public final class ObjectDirectory implements AutoCloseable {
  private final Path dir;

  private ObjectDirectory(Path dir) {
    this.dir = dir;
  }

  /**
   * Downloads every object under {@code prefix}, checksums verified, keeping the relative paths.
   *
   * @throws AdapterUnavailableException when nothing is stored under the prefix
   */
  public static ObjectDirectory download(ObjectStore store, String prefix) {
    String folder = prefix.endsWith("/") ? prefix : prefix + "/";
    List<ObjectInfo> objects = store.list(folder);
    if (objects.isEmpty()) {
      throw new AdapterUnavailableException("nothing stored under " + store.uri(folder), null);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("tuneloop-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectDirectory result = new ObjectDirectory(dir);
    try {
      for (ObjectInfo object : objects) {
        Path target = dir.resolve(object.key().substring(folder.length())).normalize();
        if (!target.startsWith(dir)) {
          throw new AdapterUnavailableException(
              "object key " + object.key() + " escapes its folder", null);
        }
        store.download(object.key(), target);
      }
      return result;
    } catch (RuntimeException e) {
      result.close();
      throw e;
    }
  }

  public Path path() {
    return dir;
  }

  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
