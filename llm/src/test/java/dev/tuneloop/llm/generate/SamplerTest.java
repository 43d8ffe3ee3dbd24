package dev.tuneloop.llm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {

  @Test
  void temperatureZeroIsArgmax() {
    assertThat(Sampler.of(SamplingParams.greedy(1)).sample(new float[] {0.1f, 3f, 2.9f}))
        .isEqualTo(1);
  }

  @Test
  void samplingFollowsTheSoftmaxDistribution() {
    Sampler sampler = new TopPSampler(1f, 0, 1f, new SplittableRandom(7));
    int ones = 0;
    int n = 20000;
    for (int i = 0; i < n; i++) {
      ones += sampler.sample(new float[] {0f, (float) Math.log(3)});
    }
    assertThat(ones / (double) n).isCloseTo(0.75, org.assertj.core.data.Offset.offset(0.015));
  }

  @Test
  void topKOfOneAndTinyTopPAlwaysPickTheMostLikely() {
    float[] logits = {1f, 1.2f, 0.9f, 1.1f};
    Sampler topK = new TopPSampler(1f, 1, 1f, new SplittableRandom(1));
    Sampler topP = new TopPSampler(1f, 0, 0.01f, new SplittableRandom(1));
    for (int i = 0; i < 200; i++) {
      assertThat(topK.sample(logits.clone())).isEqualTo(1);
      assertThat(topP.sample(logits.clone())).isEqualTo(1);
    }
  }

  @Test
  void topPKeepsOnlyTheNucleus() {
    // probabilities 0.5, 0.3, 0.2: p = 0.7 keeps the first two only
    float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
    Sampler sampler = new TopPSampler(1f, 0, 0.7f, new SplittableRandom(3));
    int[] counts = new int[3];
    for (int i = 0; i < 5000; i++) {
      counts[sampler.sample(logits.clone())]++;
    }
    assertThat(counts[2]).isZero();
    assertThat(counts[0] / 5000.0).isCloseTo(0.625, org.assertj.core.data.Offset.offset(0.03));
  }

  @Test
  void topKKeepsOnlyTheKMostLikelyInProportion() {
    // probabilities 0.4, 0.3, 0.2, 0.1: k = 2 keeps 0.4 and 0.3, renormalised to 4/7 and 3/7
    float[] logits = {
      (float) Math.log(0.4), (float) Math.log(0.3), (float) Math.log(0.2), (float) Math.log(0.1)
    };
    Sampler sampler = new TopPSampler(1f, 2, 1f, new SplittableRandom(5));
    int[] counts = new int[4];
    for (int i = 0; i < 7000; i++) {
      counts[sampler.sample(logits.clone())]++;
    }
    assertThat(counts[2] + counts[3]).isZero();
    assertThat(counts[0] / 7000.0).isCloseTo(4 / 7.0, org.assertj.core.data.Offset.offset(0.03));
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
    float[] logits = {2f, -2f, 2f};
    Generator.penalize(logits, new int[] {0, 1, 0}, 3, 2f);
    assertThat(logits).containsExactly(1f, -4f, 2f);
  }

  @Test
  void stopMatcherHoldsBackAPossibleStopStartUntilDecided() {
    StopMatcher matcher = new StopMatcher(java.util.List.of("END"));
    assertThat(matcher.append("abc E")).isEqualTo("abc ");
    assertThat(matcher.append("N")).isEmpty();
    assertThat(matcher.append("x")).isEqualTo("ENx");
    assertThat(matcher.append(" EN")).isEqualTo(" ");
    assertThat(matcher.append("D more")).isEmpty();
    assertThat(matcher.stopped()).isTrue();
    assertThat(matcher.text()).isEqualTo("abc ENx ");
  }
}
