package dev.tuneloop.llm.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraSet;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Llama2cOracleTest {

  @Test
  void greedyDecodingFromBosReproducesTheReferenceOutputByteForByte() {
    String expected =
        new String(BuiltinModels.resource("expected-greedy-200.txt"), StandardCharsets.UTF_8);
    try (LoadedModel stories = BuiltinModels.stories260K()) {
      int[] tokens =
          Greedy.decode(
              stories.model(), new int[] {stories.tokenizer().bosId()}, 200, LoraSet.NONE);

      assertThat(stories.tokenizer().decode(tokens)).isEqualTo(expected);
    }
  }
}
