package dev.tuneloop.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.llm.lora.LoraSet;
import dev.tuneloop.llm.lora.LoraSpec;
import dev.tuneloop.llm.lora.LoraTarget;
import dev.tuneloop.llm.lora.RandomAdapters;
import dev.tuneloop.llm.lora.ResidentAdapters;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every sequence of a batch gets exactly what {@link Generator} gives it alone: the same tokens,
 * text, finish reason and usage, and the same streamed text, whatever else is in the batch.
 */
class BatchGeneratorTest {
  private static LoadedModel stories;
  private static Generator generator;
  private static BatchGenerator batch;
  private static ResidentAdapters resident;
  private static LoraAdapter qv;
  private static LoraAdapter all;
  private static int qvSlot;
  private static int allSlot;
  private static int bos;

  @BeforeAll
  static void load() {
    stories = BuiltinModels.stories260K();
    generator = new Generator(stories);
    batch = new BatchGenerator(stories);
    bos = stories.tokenizer().bosId();
    qv =
        RandomAdapters.inputScaled(
            stories.config(),
            LoraSpec.of(4, 8f, LoraTarget.Q, LoraTarget.V),
            stories.manager(),
            1,
            0.1f);
    all =
        RandomAdapters.inputScaled(
            stories.config(), LoraSpec.of(2, 4f, LoraTarget.values()), stories.manager(), 2, 0.1f);
    resident = new ResidentAdapters(stories.config(), 8, stories.manager());
    qvSlot = resident.put("qv", qv);
    allSlot = resident.put("all", all);
  }

  @AfterAll
  static void close() {
    resident.close();
    qv.close();
    all.close();
    stories.close();
  }

  @Test
  void greedyBatchOfDifferentPromptsAndAdaptersMatchesEachAlone() {
    List<Case> cases =
        List.of(
            new Case(prompt("Once upon a time"), SamplingParams.greedy(40), 0),
            new Case(new int[] {bos}, SamplingParams.greedy(40), qvSlot),
            new Case(
                prompt("The little dog ran to the park and saw a big"),
                SamplingParams.greedy(40),
                allSlot),
            new Case(prompt("Lily"), SamplingParams.greedy(40), qvSlot));

    List<Outcome> batched = runBatch(cases);

    for (int i = 0; i < cases.size(); i++) {
      assertSameAsAlone(cases.get(i), batched.get(i));
    }
    // the adapters really act: the same prompt gives another answer through each of them
    Outcome base = alone(new Case(prompt("Lily"), SamplingParams.greedy(40), 0));
    Outcome viaAll = alone(new Case(prompt("Lily"), SamplingParams.greedy(40), allSlot));
    assertThat(batched.get(3).result.tokens()).isNotEqualTo(base.result.tokens());
    assertThat(viaAll.result.tokens())
        .isNotEqualTo(base.result.tokens())
        .isNotEqualTo(batched.get(3).result.tokens());
  }

  @Test
  void seededSamplingInABatchMatchesEachAlone() {
    List<Case> cases =
        List.of(
            new Case(prompt("Once upon a time"), SamplingParams.sampled(1f, 0.9f, 7, 50), 0),
            new Case(prompt("Once upon a time"), SamplingParams.sampled(1f, 0.9f, 8, 50), 0),
            new Case(
                prompt("The cat"), SamplingParams.sampled(0.8f, 1f, 9, 50).withTopK(20), allSlot),
            new Case(
                new int[] {bos},
                SamplingParams.sampled(1.2f, 0.95f, 10, 50).withRepetitionPenalty(1.3f),
                qvSlot));

    List<Outcome> batched = runBatch(cases);

    for (int i = 0; i < cases.size(); i++) {
      assertSameAsAlone(cases.get(i), batched.get(i));
    }
    assertThat(batched.get(0).result.tokens())
        .isNotEqualTo(batched.get(1).result.tokens()); // own seeds
  }

  @Test
  void sequencesEndingEarlyByEosStopOrLengthStopEmittingWhileTheOthersGoOn() {
    List<Case> cases =
        List.of(
            new Case(
                new int[] {bos}, SamplingParams.sampled(1f, 1f, 2, 500), 0), // ends with EOS (BOS)
            new Case(new int[] {bos}, SamplingParams.greedy(100).withStop(List.of("Lily")), 0),
            new Case(prompt("Once upon a time"), SamplingParams.greedy(3), allSlot),
            new Case(prompt("One day"), SamplingParams.greedy(420).withStopAtEos(false), qvSlot));

    List<Outcome> batched = runBatch(cases);

    for (int i = 0; i < cases.size(); i++) {
      assertSameAsAlone(cases.get(i), batched.get(i));
    }
    assertThat(batched.get(0).result.finishReason()).isEqualTo(FinishReason.EOS);
    assertThat(batched.get(1).result.finishReason()).isEqualTo(FinishReason.STOP_SEQUENCE);
    assertThat(batched.get(2).result.finishReason()).isEqualTo(FinishReason.LENGTH);
    assertThat(batched.get(2).result.tokens()).hasSize(3);
    assertThat(batched.get(3).result.tokens()).hasSize(420); // went on after all three had ended
    assertThat(batched.get(0).result.tokens().length).isLessThan(420);
  }

  @Test
  void aCancelledSequenceStopsAtTheNextTokenAndTheOthersFinish() {
    SamplingParams long80 = SamplingParams.greedy(80);
    List<Case> cases =
        List.of(
            new Case(prompt("Once upon a time"), long80, qvSlot),
            new Case(prompt("The sun"), long80, 0));
    AtomicInteger seen = new AtomicInteger();
    List<StringBuilder> streams = List.of(new StringBuilder(), new StringBuilder());
    List<BatchRequest> requests =
        List.of(
            request(cases.get(0), streams.get(0))
                .withListener(
                    (id, text) -> {
                      seen.incrementAndGet();
                      streams.get(0).append(text);
                    })
                .withCancellation(() -> seen.get() >= 5),
            request(cases.get(1), streams.get(1)));

    List<GenerationResult> results = batch.generate(requests, resident);

    GenerationResult cancelled = results.get(0);
    Outcome aloneFirst = alone(cases.get(0));
    assertThat(cancelled.finishReason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(cancelled.tokens())
        .hasSize(5)
        .containsExactly(java.util.Arrays.copyOf(aloneFirst.result.tokens(), 5));
    assertThat(streams.get(0).toString()).isEqualTo(cancelled.text());
    assertSameAsAlone(cases.get(1), new Outcome(results.get(1), streams.get(1).toString()));
  }

  @Test
  void aLongPromptNeverShortensTheAnswerOfAShortOneBesideIt() {
    int context = stories.config().maxSeqLen();
    int[] longPrompt = promptOfLength(context - 100);
    List<Case> cases =
        List.of(
            new Case(prompt("One day"), SamplingParams.greedy(420).withStopAtEos(false), qvSlot),
            new Case(longPrompt, SamplingParams.greedy(200).withStopAtEos(false), 0),
            new Case(prompt("The cat"), SamplingParams.greedy(30), 0));

    List<Outcome> batched = runBatch(cases);

    for (int i = 0; i < cases.size(); i++) {
      assertSameAsAlone(cases.get(i), batched.get(i));
    }
    // alone, the short prompt has room for all 420 tokens; beside the long one it would have had
    // only 101 had they shared one session
    assertThat(batched.get(0).result.tokens()).hasSize(420);
    assertThat(batched.get(1).result.tokens()).hasSize(100); // the long one runs to the context
  }

  @Test
  void requestsAreGroupedSoEachKeepsItsBudget() {
    int context = 512;
    List<BatchRequest> requests =
        List.of(
            BatchRequest.of(new int[10], SamplingParams.greedy(400)), // room 113
            BatchRequest.of(new int[400], SamplingParams.greedy(50)), // room 463
            BatchRequest.of(new int[20], SamplingParams.greedy(40)), // room 473
            BatchRequest.of(new int[100], SamplingParams.greedy(300))); // room 213
    int[] budgets = {400, 50, 40, 300};

    assertThat(BatchGenerator.fittingGroups(requests, budgets, context))
        .containsExactly(List.of(0, 2, 3), List.of(1));
  }

  /** A prompt of exactly {@code length} tokens: BOS and a story's tokens, repeated. */
  private static int[] promptOfLength(int length) {
    int[] story =
        prompt("Once upon a time, there was a little girl named Lily. She liked to play.");
    int[] ids = new int[length];
    for (int i = 0; i < length; i++) {
      ids[i] = i == 0 ? bos : story[1 + (i - 1) % (story.length - 1)];
    }
    return ids;
  }

  private record Case(int[] prompt, SamplingParams params, int slot) {}

  private record Outcome(GenerationResult result, String streamed) {}

  private static void assertSameAsAlone(Case c, Outcome batched) {
    Outcome alone = alone(c);
    assertThat(batched.result.tokens()).containsExactly(alone.result.tokens());
    assertThat(batched.result.text()).isEqualTo(alone.result.text());
    assertThat(batched.result.finishReason()).isEqualTo(alone.result.finishReason());
    assertThat(batched.result.usage()).isEqualTo(alone.result.usage());
    assertThat(batched.streamed).isEqualTo(alone.streamed).isEqualTo(batched.result.text());
  }

  private static Outcome alone(Case c) {
    StringBuilder streamed = new StringBuilder();
    LoraSet adapter = c.slot == qvSlot ? qv : c.slot == allSlot ? all : LoraSet.NONE;
    GenerationResult result =
        generator.generate(c.prompt, c.params, adapter, (id, text) -> streamed.append(text));
    return new Outcome(result, streamed.toString());
  }

  private static List<Outcome> runBatch(List<Case> cases) {
    List<StringBuilder> streams = new ArrayList<>();
    List<BatchRequest> requests = new ArrayList<>();
    for (Case c : cases) {
      StringBuilder streamed = new StringBuilder();
      streams.add(streamed);
      requests.add(request(c, streamed));
    }
    List<GenerationResult> results = batch.generate(requests, resident);
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      outcomes.add(new Outcome(results.get(i), streams.get(i).toString()));
    }
    return outcomes;
  }

  private static BatchRequest request(Case c, StringBuilder streamed) {
    return BatchRequest.of(c.prompt, c.params)
        .withAdapterSlot(c.slot)
        .withListener((id, text) -> streamed.append(text));
  }

  private static int[] prompt(String text) {
    int[] ids = stories.tokenizer().encode(text);
    int[] withBos = new int[ids.length + 1];
    withBos[0] = bos;
    System.arraycopy(ids, 0, withBos, 1, ids.length);
    return withBos;
  }
}
