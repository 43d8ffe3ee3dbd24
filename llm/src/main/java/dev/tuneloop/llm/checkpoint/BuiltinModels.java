package dev.tuneloop.llm.checkpoint;

import ai.djl.ndarray.NDManager;
import dev.tuneloop.llm.model.Djl;
import dev.tuneloop.llm.model.LlamaModel;
import dev.tuneloop.llm.model.LlamaWeights;
import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Models shipped on the classpath: the vendored stories260K (see its NOTICE.md). */
public final class BuiltinModels {
  public static final String STORIES260K = "stories260K";
  private static final String RESOURCE_DIR = "/models/stories260K/";

  private BuiltinModels() {}

  /** stories260K with its tok512 tokenizer, in a fresh native manager owned by the result. */
  public static LoadedModel stories260K() {
    CheckpointContents contents =
        Llama2cCheckpoint.read(
            Path.of("classpath:" + RESOURCE_DIR + "stories260K.bin"),
            ByteBuffer.wrap(resource("stories260K.bin")));
    NDManager manager = Djl.newManager();
    try {
      LlamaModel model =
          new LlamaModel(
              LlamaWeights.fromStateDict(contents.config(), contents.weights(), manager));
      return new LoadedModel(
          BaseModelId.of(STORIES260K, contents.weights()),
          model,
          Llama2cTokenizer.stories260K(),
          manager);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** A file of the vendored stories260K directory, e.g. {@code expected-greedy-200.txt}. */
  public static byte[] resource(String name) {
    try (InputStream in = BuiltinModels.class.getResourceAsStream(RESOURCE_DIR + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "classpath resource " + RESOURCE_DIR + name + " is missing");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
