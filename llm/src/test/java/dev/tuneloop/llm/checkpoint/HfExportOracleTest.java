package dev.tuneloop.llm.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.model.Greedy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfExportOracleTest {

  @TempDir Path dir;

  @Test
  void exportedHuggingFaceDirectoryReproducesTheReferenceOutputAndKeepsTheIdentity()
      throws Exception {
    Path bin = StoriesFiles.copyTo(dir);
    Path hf = dir.resolve("stories260K-hf");
    HfExporter.export(bin, dir.resolve("tok512.bin"), hf, Safetensors.DType.F32);
    String expected =
        new String(BuiltinModels.resource("expected-greedy-200.txt"), StandardCharsets.UTF_8);

    try (LoadedModel exported = Checkpoints.load(hf);
        LoadedModel original = Checkpoints.load(bin)) {
      int[] tokens =
          Greedy.decode(
              exported.model(), new int[] {exported.tokenizer().bosId()}, 200, LoraSet.NONE);

      assertThat(exported.tokenizer().decode(tokens)).isEqualTo(expected);
      assertThat(exported.id().sha256()).isEqualTo(original.id().sha256());
      assertThat(original.id().name()).isEqualTo("stories260K");
      assertThat(Files.readString(hf.resolve("config.json")))
          .contains("\"model_type\" : \"llama\"");
    }
  }

  @Test
  void halfPrecisionExportsLoadAndStayCloseToFloat32() throws Exception {
    Path bin = StoriesFiles.copyTo(dir);
    for (Safetensors.DType dtype :
        new Safetensors.DType[] {Safetensors.DType.F16, Safetensors.DType.BF16}) {
      Path hf = dir.resolve("hf-" + dtype);
      HfExporter.export(bin, dir.resolve("tok512.bin"), hf, dtype);
      try (LoadedModel half = Checkpoints.load(hf);
          LoadedModel full = Checkpoints.load(bin)) {
        int[] prompt = {1, 403, 407, 261};
        int[] halfTokens = Greedy.decode(half.model(), prompt, 8, LoraSet.NONE);
        int[] fullTokens = Greedy.decode(full.model(), prompt, 8, LoraSet.NONE);
        assertThat(halfTokens)
            .as(dtype.name())
            .startsWith(java.util.Arrays.copyOf(fullTokens, prompt.length + 3));
        assertThat(Files.size(hf.resolve("model.safetensors")))
            .isLessThan(Files.size(bin) * 6 / 10);
      }
    }
  }
}
