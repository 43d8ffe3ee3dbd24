package dev.tuneloop.platform.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EvalSplitTest {

  @Test
  void anExampleKeepsItsSideWhateverElseIsInTheDataset() {
    // The same id gives the same answer on every call: no state, no order dependence.
    for (int i = 0; i < 200; i++) {
      String id = "ex-" + i;
      assertThat(EvalSplit.isEval(id, 0.1)).isEqualTo(EvalSplit.isEval(id, 0.1));
    }
    assertThat(EvalSplit.position("ex-7")).isEqualTo(EvalSplit.position("ex-7"));
  }

  @Test
  void holdsOutAboutTheFractionAndGrowsMonotonically() {
    long atTen = IntStream.range(0, 20_000).filter(i -> EvalSplit.isEval("id" + i, 0.1)).count();
    assertThat(atTen).isBetween(1_800L, 2_200L);
    // Raising the fraction only adds examples to the eval side, never moves one back to training.
    IntStream.range(0, 2_000)
        .filter(i -> EvalSplit.isEval("id" + i, 0.1))
        .forEach(i -> assertThat(EvalSplit.isEval("id" + i, 0.2)).isTrue());
  }

  @Test
  void zeroAndOneAreNoneAndAll() {
    assertThat(EvalSplit.isEval("x", 0)).isFalse();
    assertThat(EvalSplit.isEval("x", 1)).isTrue();
  }
}
