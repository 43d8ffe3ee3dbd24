package dev.tuneloop.curation.memory;

import dev.tuneloop.curation.text.Text;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * MinHash signatures over shingles of words or of characters: the share of equal slots in two
 * signatures estimates the Jaccard similarity of their shingle sets (standard error about
 * sqrt(J(1-J)/slots), 0.035 at J=0.8 with 128 slots). Character shingles suit short texts: one
 * changed word in a 15-word ticket changes 3 of 13 word trigrams but only about 5 of 80 character
 * 5-grams.
 */
public final class MinHash {

  public static final int SLOTS = 128;
  private static final long[] SEEDS = new long[SLOTS];

  static {
    long s = 0x9E3779B97F4A7C15L;
    for (int i = 0; i < SLOTS; i++) {
      s = mix(s + 0x9E3779B97F4A7C15L);
      SEEDS[i] = s;
    }
  }

  private final int shingleSize;
  private final boolean characters;

  /** Word shingles of {@code shingleSize} words. */
  public MinHash(int shingleSize) {
    this(shingleSize, false);
  }

  /**
   * @param shingleSize words or characters per shingle
   * @param characters whether shingles are runs of characters of the words joined by single spaces
   */
  public MinHash(int shingleSize, boolean characters) {
    this.shingleSize = shingleSize;
    this.characters = characters;
  }

  public long[] signature(String text) {
    long[] sig = new long[SLOTS];
    Arrays.fill(sig, Long.MAX_VALUE);
    for (long base : shingleHashes(text)) {
      for (int i = 0; i < SLOTS; i++) {
        long h = mix(base ^ SEEDS[i]);
        if (h < sig[i]) {
          sig[i] = h;
        }
      }
    }
    return sig;
  }

  public static double similarity(long[] a, long[] b) {
    int equal = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (a[i] == b[i]) {
        equal++;
      }
    }
    return equal / (double) SLOTS;
  }

  Set<String> shingles(String text) {
    List<String> words = Text.words(text);
    Set<String> shingles = new LinkedHashSet<>();
    if (characters) {
      String joined = String.join(" ", words);
      if (joined.length() <= shingleSize) {
        shingles.add(joined);
      }
      for (int i = 0; i + shingleSize <= joined.length(); i++) {
        shingles.add(joined.substring(i, i + shingleSize));
      }
      return shingles;
    }
    if (words.size() <= shingleSize) {
      shingles.add(String.join(" ", words));
      return shingles;
    }
    for (int i = 0; i + shingleSize <= words.size(); i++) {
      shingles.add(String.join(" ", words.subList(i, i + shingleSize)));
    }
    return shingles;
  }

  /** The distinct FNV-1a hashes of the shingles; char shingles are hashed in place. */
  private long[] shingleHashes(String text) {
    if (!characters) {
      return shingles(text).stream().mapToLong(MinHash::fnv1a).toArray();
    }
    String joined = String.join(" ", Text.words(text));
    int n = Math.max(1, joined.length() - shingleSize + 1);
    long[] hashes = new long[n];
    for (int i = 0; i < n; i++) {
      long h = 0xcbf29ce484222325L;
      for (int j = i; j < Math.min(joined.length(), i + shingleSize); j++) {
        h = (h ^ joined.charAt(j)) * 0x100000001b3L;
      }
      hashes[i] = h;
    }
    return Arrays.stream(hashes).distinct().toArray();
  }

  private static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }

  /** SplitMix64's finaliser: a cheap, well-mixed 64-bit permutation. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
