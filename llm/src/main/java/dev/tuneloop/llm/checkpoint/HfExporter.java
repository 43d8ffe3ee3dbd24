package dev.tuneloop.llm.checkpoint;

import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Converts a llama2.c checkpoint into a Hugging Face directory: {@code config.json}, {@code
 * model.safetensors} (wq and wk rows permuted to the half-split rotary layout by the reader) and
 * the llama2.c {@code tokenizer.bin}.
 */
public final class HfExporter {

  private HfExporter() {}

  /**
   * @param checkpoint a llama2.c {@code .bin}
   * @param tokenizer its llama2.c tokenizer file, copied as {@code tokenizer.bin}
   * @param outDir created if absent
   */
  public static void export(Path checkpoint, Path tokenizer, Path outDir, Safetensors.DType dtype)
      throws IOException {
    CheckpointContents contents = Llama2cCheckpoint.read(checkpoint);
    Llama2cTokenizer tok = Llama2cTokenizer.load(tokenizer);
    HfCheckpoint.write(
        outDir, contents.config(), contents.weights(), dtype, tok.bosId(), tok.eosId());
    Files.copy(tokenizer, outDir.resolve("tokenizer.bin"), StandardCopyOption.REPLACE_EXISTING);
  }
}
