package dev.tuneloop.llm.checkpoint;

import ai.djl.ndarray.NDManager;
import dev.tuneloop.llm.model.Djl;
import dev.tuneloop.llm.model.LlamaModel;
import dev.tuneloop.llm.model.LlamaWeights;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import dev.tuneloop.llm.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads a base model with its tokenizer from whatever a path holds. */
public final class Checkpoints {

  private Checkpoints() {}

  /**
   * Loads a model.
   *
   * @param path a llama2.c {@code .bin} file (its tokenizer, {@code tokenizer.bin} or a single
   *     {@code tok*.bin}, beside it), a Hugging Face directory with {@code config.json}, or {@code
   *     builtin:stories260K}
   * @throws CheckpointException naming the file and the problem when anything is missing or
   *     malformed
   */
  public static LoadedModel load(Path path) {
    if (path.toString().equals("builtin:" + BuiltinModels.STORIES260K)) {
      return BuiltinModels.stories260K();
    }
    if (Files.isDirectory(path)) {
      if (!Files.isRegularFile(path.resolve(HfCheckpoint.CONFIG))) {
        throw new CheckpointException(
            path, "not a Hugging Face checkpoint: no " + HfCheckpoint.CONFIG);
      }
      return assemble(path, name(path), HfCheckpoint.read(path), path);
    }
    if (Files.isRegularFile(path)) {
      Path dir = path.toAbsolutePath().getParent();
      return assemble(
          path, name(path).replaceFirst("\\.bin$", ""), Llama2cCheckpoint.read(path), dir);
    }
    throw new CheckpointException(path, "no such model file or directory");
  }

  private static LoadedModel assemble(
      Path source, String name, CheckpointContents contents, Path tokenizerDir) {
    Tokenizer tokenizer = tokenizer(source, tokenizerDir);
    if (tokenizer.vocabSize() > contents.config().vocabSize()) {
      throw new CheckpointException(
          source,
          "tokenizer has "
              + tokenizer.vocabSize()
              + " tokens but the model only "
              + contents.config().vocabSize());
    }
    BaseModelId id = BaseModelId.of(name, contents.weights());
    NDManager manager = Djl.newManager();
    try {
      LlamaWeights weights =
          LlamaWeights.fromStateDict(contents.config(), contents.weights(), manager);
      return new LoadedModel(id, new LlamaModel(weights), tokenizer, manager);
    } catch (IllegalArgumentException e) {
      manager.close();
      throw new CheckpointException(source, e.getMessage(), e);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static Tokenizer tokenizer(Path source, Path dir) {
    try {
      return Tokenizers.load(dir);
    } catch (IOException e) {
      throw new CheckpointException(source, "missing tokenizer: " + e.getMessage(), e);
    }
  }

  private static String name(Path path) {
    Path file = path.toAbsolutePath().normalize().getFileName();
    return file == null ? path.toString() : file.toString();
  }
}
