package dev.tuneloop.llm.checkpoint;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.llm.model.FloatTensor;
import dev.tuneloop.llm.model.LlamaConfig;
import dev.tuneloop.llm.model.ModelType;
import dev.tuneloop.llm.model.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointErrorsTest {
  private static final LlamaConfig TINY =
      new LlamaConfig(ModelType.LLAMA, 16, 32, 1, 2, 2, 8, 512, 32, 1e-5f, 1e4f, true, false, 0);

  @TempDir Path dir;

  @Test
  void truncatedLlama2cCheckpointNamesTheFileAndBothSizes() throws Exception {
    Path bin = StoriesFiles.copyTo(dir);
    byte[] bytes = Files.readAllBytes(bin);
    Files.write(bin, Arrays.copyOf(bytes, bytes.length - 1000));

    assertThatThrownBy(() -> Checkpoints.load(bin))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(bin.toString())
        .hasMessageContaining("truncated llama2.c checkpoint")
        .hasMessageContaining(String.valueOf(bytes.length))
        .hasMessageContaining(String.valueOf(bytes.length - 1000));
  }

  @Test
  void truncatedSafetensorsNamesTheFileAndTheTensorCutShort() throws Exception {
    Path hf = writeTiny(RandomCheckpoints.weights(TINY, 1));
    Path weights = hf.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(weights);
    Files.write(weights, Arrays.copyOf(bytes, bytes.length - 10));

    assertThatThrownBy(() -> Checkpoints.load(hf))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(weights.toString())
        .hasMessageContaining("truncated safetensors file: tensor 'model.norm.weight'");
  }

  @Test
  void wrongShapeNamesTheTensorAndBothShapes() throws Exception {
    StateDict weights = RandomCheckpoints.weights(TINY, 1);
    weights.put("model.layers.0.self_attn.k_proj.weight", FloatTensor.of(new float[8 * 16], 8, 16));
    Path hf = writeTiny(weights);

    assertThatThrownBy(() -> Checkpoints.load(hf))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(hf.toString())
        .hasMessageContaining(
            "tensor 'model.layers.0.self_attn.k_proj.weight' has shape [8, 16], expected [16, 16]");
  }

  @Test
  void unknownModelTypeNamesTheConfigAndTheType() throws Exception {
    Path hf = writeTiny(RandomCheckpoints.weights(TINY, 1));
    Path config = hf.resolve("config.json");
    Files.writeString(config, Files.readString(config).replace("\"llama\"", "\"gpt2\""));

    assertThatThrownBy(() -> Checkpoints.load(hf))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(config.toString())
        .hasMessageContaining("unsupported model_type 'gpt2'");
  }

  @Test
  void missingTokenizerNamesTheCheckpointAndWhatWasLookedFor() throws Exception {
    Path hf = writeTiny(RandomCheckpoints.weights(TINY, 1));
    Files.delete(hf.resolve("tokenizer.bin"));

    assertThatThrownBy(() -> Checkpoints.load(hf))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(hf.toString())
        .hasMessageContaining("missing tokenizer")
        .hasMessageContaining("tokenizer.json");
  }

  @Test
  void missingWeightsNameTheDirectoryAndTheExpectedFiles() throws Exception {
    Path hf = writeTiny(RandomCheckpoints.weights(TINY, 1));
    Files.delete(hf.resolve("model.safetensors"));

    assertThatThrownBy(() -> Checkpoints.load(hf))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(hf.toString())
        .hasMessageContaining("no model.safetensors or model.safetensors.index.json");
  }

  private Path writeTiny(StateDict weights) throws Exception {
    Path hf = dir.resolve("tiny");
    HfCheckpoint.write(hf, TINY, weights, Safetensors.DType.F32, 1, 2);
    Files.write(hf.resolve("tokenizer.bin"), BuiltinModels.resource("tok512.bin"));
    return hf;
  }
}
