package dev.tuneloop.llm.tokenizer;

import java.util.Arrays;

/**
 * An open-addressing hash map from long to non-negative int, built once and then only read; absent
 * keys give -1.
 */
final class LongIntMap {

  private static final long EMPTY = Long.MIN_VALUE;

  private long[] keys;
  private int[] values;
  private int size;

  LongIntMap(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected * 2) - 1) << 1;
    keys = new long[capacity];
    values = new int[capacity];
    Arrays.fill(keys, EMPTY);
  }

  void put(long key, int value) {
    if (key == EMPTY || value < 0) {
      throw new IllegalArgumentException("unsupported key or value: " + key + " -> " + value);
    }
    if (2 * (size + 1) > keys.length) {
      grow();
    }
    int slot = slot(key);
    if (keys[slot] == EMPTY) {
      size++;
    }
    keys[slot] = key;
    values[slot] = value;
  }

  int get(long key) {
    int slot = slot(key);
    return keys[slot] == key ? values[slot] : -1;
  }

  private int slot(long key) {
    int mask = keys.length - 1;
    int slot = Long.hashCode(key * 0x9E3779B97F4A7C15L) & mask;
    while (keys[slot] != EMPTY && keys[slot] != key) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new int[oldKeys.length * 2];
    Arrays.fill(keys, EMPTY);
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != EMPTY) {
        put(oldKeys[i], oldValues[i]);
      }
    }
  }
}
