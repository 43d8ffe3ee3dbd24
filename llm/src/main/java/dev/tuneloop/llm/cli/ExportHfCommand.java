package dev.tuneloop.llm.cli;

import dev.tuneloop.llm.checkpoint.HfExporter;
import dev.tuneloop.llm.checkpoint.Safetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Converts a llama2.c checkpoint into a Hugging Face directory. */
@Command(
    name = "export-hf",
    mixinStandardHelpOptions = true,
    description = "Convert a llama2.c .bin (and its tokenizer.bin) into a Hugging Face directory.")
final class ExportHfCommand implements Callable<Integer> {

  @Option(names = "--checkpoint", required = true, description = "llama2.c .bin file")
  Path checkpoint;

  @Option(
      names = "--tokenizer",
      required = true,
      description = "llama2.c tokenizer file (e.g. tok512.bin)")
  Path tokenizer;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Option(
      names = "--dtype",
      defaultValue = "F32",
      description = "F32, F16 or BF16 (default: ${DEFAULT-VALUE})")
  Safetensors.DType dtype;

  @Override
  public Integer call() throws IOException {
    HfExporter.export(checkpoint, tokenizer, out, dtype);
    return 0;
  }
}
