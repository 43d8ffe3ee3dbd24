package dev.tuneloop.llm.tokenizer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finds and loads a model's tokenizer by the files present. */
public final class Tokenizers {

  public static final String LLAMA2C_FILE = "tokenizer.bin";
  private static final String LLAMA2C_GLOB = "tok*.bin";

  private Tokenizers() {}

  /**
   * Loads the tokenizer of a checkpoint directory (or a tokenizer file itself): {@code
   * tokenizer.json} (Hugging Face), else {@code tokenizer.bin} (llama2.c), else a single {@code
   * tok*.bin} (llama2.c, e.g. tok512.bin).
   */
  public static Tokenizer load(Path dirOrFile) throws IOException {
    if (Files.isRegularFile(dirOrFile)) {
      return loadFile(dirOrFile);
    }
    if (!Files.isDirectory(dirOrFile)) {
      throw new NoSuchFileException(
          dirOrFile.toString(), null, "no such tokenizer directory or file");
    }
    if (Files.isRegularFile(dirOrFile.resolve(HfTokenizer.TOKENIZER_JSON))) {
      return HfTokenizer.load(dirOrFile);
    }
    if (Files.isRegularFile(dirOrFile.resolve(LLAMA2C_FILE))) {
      return Llama2cTokenizer.load(dirOrFile.resolve(LLAMA2C_FILE));
    }
    List<Path> candidates = llama2cCandidates(dirOrFile);
    if (candidates.size() == 1) {
      return Llama2cTokenizer.load(candidates.getFirst());
    }
    String problem =
        candidates.isEmpty()
            ? "no tokenizer found"
            : "several llama2.c tokenizers "
                + candidates.stream().map(p -> p.getFileName().toString()).toList()
                + ", name the one to use tokenizer.bin";
    String sentencePieceHint =
        Files.isRegularFile(dirOrFile.resolve("tokenizer.model"))
            ? " (tokenizer.model, SentencePiece's own format, is not supported: add the checkpoint's tokenizer.json)"
            : "";
    throw new NoSuchFileException(
        dirOrFile.toString(),
        null,
        problem
            + " in this directory: looked for "
            + HfTokenizer.TOKENIZER_JSON
            + ", "
            + LLAMA2C_FILE
            + " and "
            + LLAMA2C_GLOB
            + sentencePieceHint);
  }

  private static Tokenizer loadFile(Path file) throws IOException {
    String name = file.getFileName().toString();
    if (name.endsWith(".json")) {
      if (!name.equals(HfTokenizer.TOKENIZER_JSON)) {
        throw new IOException(
            file
                + ": a Hugging Face tokenizer must be named "
                + HfTokenizer.TOKENIZER_JSON
                + " so its tokenizer_config.json beside it is found");
      }
      return HfTokenizer.load(file.toAbsolutePath().getParent());
    }
    if (name.endsWith(".bin")) {
      return Llama2cTokenizer.load(file);
    }
    throw new IOException(
        file
            + ": unknown tokenizer file type; expected "
            + HfTokenizer.TOKENIZER_JSON
            + " or a llama2.c "
            + LLAMA2C_FILE);
  }

  private static List<Path> llama2cCandidates(Path dir) throws IOException {
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, LLAMA2C_GLOB)) {
      files.forEach(found::add);
    }
    found.sort(null);
    return found;
  }
}
