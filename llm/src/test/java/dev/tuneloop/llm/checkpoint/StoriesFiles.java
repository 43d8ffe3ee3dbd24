package dev.tuneloop.llm.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The vendored stories260K files copied out of the classpath into a directory, as a user would have
 * them.
 */
final class StoriesFiles {
  private StoriesFiles() {}

  /**
   * Writes {@code stories260K.bin} and {@code tok512.bin} into {@code dir}; returns the checkpoint
   * path.
   */
  static Path copyTo(Path dir) throws IOException {
    Files.write(dir.resolve("stories260K.bin"), BuiltinModels.resource("stories260K.bin"));
    Files.write(dir.resolve("tok512.bin"), BuiltinModels.resource("tok512.bin"));
    return dir.resolve("stories260K.bin");
  }
}
