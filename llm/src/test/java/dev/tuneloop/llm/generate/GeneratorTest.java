package dev.tuneloop.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraSet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorTest {
  private static LoadedModel stories;
  private static Generator generator;
  private static int bos;

  @BeforeAll
  static void load() {
    stories = BuiltinModels.stories260K();
    generator = new Generator(stories);
    bos = stories.tokenizer().bosId();
  }

  @AfterAll
  static void close() {
    stories.close();
  }

  @Test
  void greedyGenerationFromBosStreamsTheReferenceTextAndCountsUsage() {
    String expected =
        new String(BuiltinModels.resource("expected-greedy-200.txt"), StandardCharsets.UTF_8);
    StringBuilder streamed = new StringBuilder();

    GenerationResult result =
        generator.generate(
            new int[] {bos},
            SamplingParams.greedy(200),
            LoraSet.NONE,
            (id, text) -> streamed.append(text));

    assertThat(result.text()).isEqualTo(expected);
    assertThat(streamed.toString()).isEqualTo(expected);
    assertThat(result.tokens()).hasSize(200);
    assertThat(result.usage()).isEqualTo(new Usage(1, 200));
    assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
  }

  @Test
  void stopSequenceEndsTheTextBeforeItAndIsNeverStreamed() {
    StringBuilder streamed = new StringBuilder();
    SamplingParams params = SamplingParams.greedy(100).withStop(List.of("Lily", "zzz"));

    GenerationResult result =
        generator.generate(
            new int[] {bos}, params, LoraSet.NONE, (id, text) -> streamed.append(text));

    assertThat(result.text()).isEqualTo("Once upon a time, there was a little girl named ");
    assertThat(streamed.toString()).isEqualTo(result.text());
    assertThat(result.finishReason()).isEqualTo(FinishReason.STOP_SEQUENCE);
  }

  @Test
  void seededSamplingIsReproducibleAndTheSeedMatters() {
    SamplingParams params = SamplingParams.sampled(1.0f, 0.9f, 1234, 40);

    GenerationResult first =
        generator.generate("Once upon a time", params, LoraSet.NONE, TokenListener.NONE);
    GenerationResult again =
        generator.generate("Once upon a time", params, LoraSet.NONE, TokenListener.NONE);
    GenerationResult otherSeed =
        generator.generate(
            "Once upon a time",
            SamplingParams.sampled(1.0f, 0.9f, 99, 40),
            LoraSet.NONE,
            TokenListener.NONE);

    assertThat(again.tokens()).containsExactly(first.tokens());
    assertThat(otherSeed.tokens()).isNotEqualTo(first.tokens());
    assertThat(first.usage().promptTokens())
        .isEqualTo(1 + stories.tokenizer().encode("Once upon a time").length);
  }

  @Test
  void maxTokensEndsGenerationWithLength() {
    GenerationResult result =
        generator.generate(
            new int[] {bos}, SamplingParams.greedy(5), LoraSet.NONE, TokenListener.NONE);

    assertThat(result.tokens()).hasSize(5);
    assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(result.text()).isEqualTo("Once upon a time,");
  }

  @Test
  void repetitionPenaltyChangesGreedyOutputTowardsFewerRepeats() {
    GenerationResult plain =
        generator.generate(
            new int[] {bos}, SamplingParams.greedy(150), LoraSet.NONE, TokenListener.NONE);
    GenerationResult penalized =
        generator.generate(
            new int[] {bos},
            SamplingParams.greedy(150).withRepetitionPenalty(1.5f),
            LoraSet.NONE,
            TokenListener.NONE);

    assertThat(penalized.text()).isNotEqualTo(plain.text());
    assertThat(distinct(penalized.tokens())).isGreaterThan(distinct(plain.tokens()));
  }

  @Test
  void endOfSequenceTokenEndsGenerationWhenAsked() {
    // a sampled story at temperature 1 ends well within the context (TinyStories are short);
    // stories260K marks
    // the end with BOS, llama2.c's story separator, which counts as end of sequence like EOS
    SamplingParams params = SamplingParams.sampled(1f, 1f, 2, 500);
    GenerationResult result =
        generator.generate(new int[] {bos}, params, LoraSet.NONE, TokenListener.NONE);

    assertThat(result.finishReason()).isEqualTo(FinishReason.EOS);
    assertThat(result.tokens()[result.tokens().length - 1]).isIn(bos, stories.tokenizer().eosId());
    assertThat(result.tokens().length).isLessThan(500);
    GenerationResult ignoring =
        generator.generate(
            new int[] {bos},
            params.withStopAtEos(false).withMaxTokens(result.tokens().length + 3),
            LoraSet.NONE,
            TokenListener.NONE);
    assertThat(ignoring.tokens()).hasSize(result.tokens().length + 3);
  }

  private static long distinct(int[] tokens) {
    return java.util.Arrays.stream(tokens).distinct().count();
  }
}
