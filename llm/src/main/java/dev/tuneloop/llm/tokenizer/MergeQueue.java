package dev.tuneloop.llm.tokenizer;

import java.util.Arrays;

/**
 * A binary max-heap of merge candidates in primitive arrays (no object per candidate): the top is
 * the pair with the highest score, the leftmost symbol on ties. Scores compare as C floats do, so
 * -0.0 equals 0.0.
 */
final class MergeQueue {

  private float[] score;
  private int[] left;
  private int[] right;
  private int[] leftId;
  private int[] rightId;
  private int[] mergedId;
  private int size;

  MergeQueue(int capacity) {
    int n = Math.max(16, capacity);
    score = new float[n];
    left = new int[n];
    right = new int[n];
    leftId = new int[n];
    rightId = new int[n];
    mergedId = new int[n];
  }

  boolean isEmpty() {
    return size == 0;
  }

  void add(float s, int l, int r, int lId, int rId, int merged) {
    if (size == score.length) {
      grow();
    }
    int i = size++;
    set(i, s, l, r, lId, rId, merged);
    siftUp(i);
  }

  int topLeft() {
    return left[0];
  }

  int topRight() {
    return right[0];
  }

  int topLeftId() {
    return leftId[0];
  }

  int topRightId() {
    return rightId[0];
  }

  int topMergedId() {
    return mergedId[0];
  }

  void removeTop() {
    size--;
    if (size > 0) {
      move(size, 0);
      siftDown(0);
    }
  }

  /** Whether candidate a should come out before candidate b. */
  private boolean before(int a, int b) {
    if (score[a] != score[b]) {
      return score[a] > score[b];
    }
    return left[a] < left[b];
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!before(i, parent)) {
        return;
      }
      swap(i, parent);
      i = parent;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        return;
      }
      if (child + 1 < size && before(child + 1, child)) {
        child++;
      }
      if (!before(child, i)) {
        return;
      }
      swap(i, child);
      i = child;
    }
  }

  private void set(int i, float s, int l, int r, int lId, int rId, int merged) {
    score[i] = s;
    left[i] = l;
    right[i] = r;
    leftId[i] = lId;
    rightId[i] = rId;
    mergedId[i] = merged;
  }

  private void move(int from, int to) {
    set(to, score[from], left[from], right[from], leftId[from], rightId[from], mergedId[from]);
  }

  private void swap(int a, int b) {
    float s = score[a];
    int l = left[a];
    int r = right[a];
    int lId = leftId[a];
    int rId = rightId[a];
    int merged = mergedId[a];
    move(b, a);
    set(b, s, l, r, lId, rId, merged);
  }

  private void grow() {
    int n = score.length * 2;
    score = Arrays.copyOf(score, n);
    left = Arrays.copyOf(left, n);
    right = Arrays.copyOf(right, n);
    leftId = Arrays.copyOf(leftId, n);
    rightId = Arrays.copyOf(rightId, n);
    mergedId = Arrays.copyOf(mergedId, n);
  }
}
