package dev.tuneloop.trainer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatcherTest {

  /** Example i has length 3 + i % 7, tokens starting at 100·i, the second half supervised. */
  static List<SupervisedSequence> examples(int n) {
    var list = new ArrayList<SupervisedSequence>();
    for (int i = 0; i < n; i++) {
      int len = 3 + i % 7;
      int[] tokens = new int[len];
      boolean[] supervised = new boolean[len];
      for (int t = 0; t < len; t++) {
        tokens[t] = 100 * i + t + 1;
        supervised[t] = t >= len / 2;
      }
      list.add(new SupervisedSequence(tokens, supervised));
    }
    return list;
  }

  private static List<Integer> firstTokens(List<Batch> batches) {
    var firsts = new ArrayList<Integer>();
    for (Batch b : batches) {
      for (int r = 0; r < b.rows(); r++) {
        firsts.add(b.inputs()[r * b.columns()]);
      }
    }
    return firsts;
  }

  @Test
  void sameSeedAndEpochGiveTheSameOrderOtherEpochsAnother() {
    var data = examples(50);
    var batcher = new Batcher(4, 64, false, 7);
    assertThat(firstTokens(batcher.epoch(data, 0)))
        .isEqualTo(firstTokens(new Batcher(4, 64, false, 7).epoch(data, 0)));
    assertThat(firstTokens(batcher.epoch(data, 1)))
        .isNotEqualTo(firstTokens(batcher.epoch(data, 0)));
    assertThat(firstTokens(new Batcher(4, 64, false, 8).epoch(data, 0)))
        .isNotEqualTo(firstTokens(batcher.epoch(data, 0)));
  }

  @Test
  void everyExampleAppearsOncePerEpoch() {
    var firsts = firstTokens(new Batcher(4, 64, false, 7).epoch(examples(50), 3));
    assertThat(firsts).hasSize(50);
    assertThat(new HashSet<>(firsts)).hasSize(50);
  }

  @Test
  void lengthBucketsKeepRowsOfABatchCloseInLength() {
    var batches = new Batcher(4, 64, false, 7).epoch(examples(64), 0);
    int padded = 0;
    int real = 0;
    for (Batch b : batches) {
      padded += b.rows() * b.columns();
      real += b.realTokens();
    }
    assertThat((double) real / padded)
        .isGreaterThan(0.85); // random batches of lengths 3..9 waste ~30%
  }

  @Test
  void batchShiftsTargetsByOneAndMasksUnsupervisedAndPadding() {
    var a =
        new SupervisedSequence(new int[] {1, 5, 6, 7}, new boolean[] {false, false, true, true});
    var b = new SupervisedSequence(new int[] {1, 9}, new boolean[] {false, true});
    Batch batch = Batcher.toBatch(List.of(a, b));
    assertThat(batch.columns()).isEqualTo(3);
    assertThat(batch.inputs()).containsExactly(1, 5, 6, 1, 0, 0);
    assertThat(batch.positions())
        .containsExactly(1, 2, 3); // predicting 6 and 7 in row 0, 9 in row 1
    assertThat(batch.labels()).containsExactly(6, 7, 9);
    assertThat(batch.supervisedTokens()).isEqualTo(3);
    assertThat(batch.realTokens()).isEqualTo(4);
  }

  @Test
  void packingFillsRowsWithWholeExamplesUpToMaxSeqLen() {
    var data = examples(40);
    var batches = new Batcher(2, 20, true, 7).epoch(data, 0);
    int totalTokens = data.stream().mapToInt(SupervisedSequence::length).sum();
    int rows = 0;
    int realTokens = 0;
    for (Batch b : batches) {
      assertThat(b.columns()).isLessThanOrEqualTo(19);
      rows += b.rows();
      realTokens += b.realTokens();
    }
    assertThat(realTokens + rows)
        .isEqualTo(totalTokens); // every token once; each row loses one to the shift
    assertThat(rows).isLessThan(data.size() / 2);
  }

  @Test
  void evaluationBatchesCoverEveryExampleInAFixedOrder() {
    var data = examples(10);
    var batches = new Batcher(3, 64, false, 1).evaluation(data);
    assertThat(batches).hasSize(4);
    assertThat(Arrays.stream(batches.toArray(Batch[]::new)).mapToInt(Batch::rows).sum())
        .isEqualTo(10);
  }
}
