package dev.tuneloop.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.llm.checkpoint.BuiltinModels;
import dev.tuneloop.llm.checkpoint.LoadedModel;
import dev.tuneloop.llm.lora.LoraAdapter;
import dev.tuneloop.proto.v1.EvalReport;
import dev.tuneloop.trainer.testing.SampleData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Why retraining needs a replay buffer, shown by the golden score: v1 learns the foobear facts; v2,
 * trained on new data alone, has lost them; v2', trained on the same new data plus v1's examples
 * replayed, keeps them, and both learn the new data.
 */
class ReplayBufferTest {

  private static LoadedModel base;

  @BeforeAll
  static void load() {
    base = BuiltinModels.stories260K();
  }

  @AfterAll
  static void close() {
    base.close();
  }

  /** New data that is not about foobears: stories about names, places and things not in v1's. */
  private static List<SampleData.Pair> newStories() {
    String[] names = {"Zoe", "Leo", "Mia", "Jack", "Emma", "Finn", "Ruby", "Noah"};
    String[] places = {"lake", "zoo", "shop", "river", "castle", "garden", "hill", "town"};
    String[] things = {"shell", "hat", "book", "star", "frog", "cake", "key", "cup"};
    var pairs = new ArrayList<SampleData.Pair>();
    for (int i = 0; i < names.length; i++) {
      pairs.add(
          new SampleData.Pair(
              "Tell me a short story about " + names[i] + ".",
              String.format(
                  Locale.ROOT,
                  "Once upon a time, %s went to the %s. %s found a %s and was very happy. The end.",
                  names[i],
                  places[i],
                  names[i],
                  things[(i + 3) % things.length])));
    }
    return pairs;
  }

  /** v1's other examples: the sample's own short stories. */
  private static List<SampleData.Pair> sampleStories(int n) {
    return SampleData.foobear().stream()
        .filter(p -> p.prompt().startsWith("Tell me a short story"))
        .limit(n)
        .toList();
  }

  private static EvalReport.Builder evaluate(
      LoraAdapter adapter,
      String version,
      List<SampleData.Pair> golden,
      List<SampleData.Pair> eval) {
    var settings = new EvaluationSettings(List.of("Once upon a time,"), 4, 48);
    return new Evaluator(settings)
        .evaluate(
            new EvaluationInputs(
                base,
                EngineRuns.template(base),
                EngineRuns.config(base, 1),
                EngineRuns.tokenize(base, eval),
                List.of(),
                EngineRuns.golden(golden),
                adapter,
                version,
                null,
                null));
  }

  @Test
  void retrainingOnNewDataAloneLosesTheGoldenAnswersAndTheReplayBufferKeepsThem() throws Exception {
    List<SampleData.Pair> facts = EngineRuns.foobearFacts(6);
    var v1Data = new ArrayList<>(facts);
    v1Data.addAll(sampleStories(6));
    List<SampleData.Pair> fresh = newStories();
    var withReplay = new ArrayList<>(fresh);
    withReplay.addAll(v1Data); // the replay buffer: v1's examples, 12 of the 20

    double v1Golden;
    double v2Golden;
    double v2ReplayGolden;
    double baseGolden;
    double baseNewLoss;
    double v2NewLoss;
    double v2ReplayNewLoss;
    try (LoraAdapter v1 = EngineRuns.train(base, v1Data, 40).adapter()) {
      EvalReport.Builder r = evaluate(v1, "v1", facts, fresh);
      v1Golden = r.getCandidate().getGoldenScore();
      baseGolden = r.getBase().getGoldenScore();
      baseNewLoss = r.getBase().getEvalLoss();
    }
    try (LoraAdapter v2 = EngineRuns.train(base, fresh, 40).adapter()) {
      EvalReport.Builder r = evaluate(v2, "v2", facts, fresh);
      v2Golden = r.getCandidate().getGoldenScore();
      v2NewLoss = r.getCandidate().getEvalLoss();
    }
    try (LoraAdapter v2Replay = EngineRuns.train(base, withReplay, 60).adapter()) {
      EvalReport.Builder r = evaluate(v2Replay, "v2-replay", facts, fresh);
      v2ReplayGolden = r.getCandidate().getGoldenScore();
      v2ReplayNewLoss = r.getCandidate().getEvalLoss();
    }
    System.out.printf(
        Locale.ROOT,
        "golden score on v1's facts: base %.3f, v1 %.3f, v2 (new data only) %.3f, v2' (with"
            + " replay) %.3f; loss on the new data: base %.3f, v2 %.3f, v2' %.3f%n",
        baseGolden,
        v1Golden,
        v2Golden,
        v2ReplayGolden,
        baseNewLoss,
        v2NewLoss,
        v2ReplayNewLoss);

    assertThat(v1Golden).isGreaterThan(0.7);
    assertThat(v2Golden).isLessThan(v1Golden - 0.3); // forgotten
    assertThat(v2ReplayGolden).isGreaterThan(v1Golden - 0.15); // kept, most of it
    // Both retrained versions did learn the new data: the comparison is not with a broken run.
    assertThat(v2NewLoss).isLessThan(baseNewLoss / 2);
    assertThat(v2ReplayNewLoss).isLessThan(baseNewLoss / 2);
  }
}
