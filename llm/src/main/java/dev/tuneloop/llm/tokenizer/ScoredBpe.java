package dev.tuneloop.llm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The scored BPE of llama2.c's {@code tokenizer.bin} (NOTICE.md): a dummy space prefix, one piece
 * per UTF-8 character (byte pieces when the character is not a piece), then repeatedly merge the
 * adjacent pair whose concatenation is the highest-scoring piece, the leftmost pair on ties.
 *
 * <p>llama2.c rescans every pair after each merge (O(n^2)); here a priority queue ({@link
 * MergeQueue}) holds the candidate pairs and stale ones are skipped when popped, which picks the
 * same pair at every step in O(n log n). Which pairs merge is known from the vocabulary alone:
 * every piece that splits into two pieces gives one entry of a pair table.
 *
 * <p>Only text pieces take part in merges: control pieces ({@code <unk>}, BOS, EOS) and byte pieces
 * ({@code <0xNN>}) are never produced by concatenation, as in SentencePiece. (llama2.c would also
 * merge into a byte piece's literal text {@code "<0x41>"} if the vocabulary held the partial
 * strings leading there; tok512 cannot, and refusing it keeps decode(encode(text)) == text.)
 */
final class ScoredBpe {

  /**
   * llama2.c starts its best-score search at -1e10, so pieces scoring at or below it never merge.
   */
  private static final float MIN_MERGE_SCORE = -1e10f;

  private final Map<String, Integer>
      textPieces; // piece bytes as ISO-8859-1 string -> first id with them
  private final float[] scores;
  private final int[] byteIds; // byte value -> id of its <0xNN> piece, or -1
  private final int[] asciiIds; // ASCII char -> id of its one-character piece, or -1
  private final LongIntMap merges; // (left id, right id) -> id of the concatenation
  private final int unkId;

  ScoredBpe(Map<String, Integer> textPieces, float[] scores, int[] byteIds, int unkId) {
    this.textPieces = Map.copyOf(textPieces);
    this.scores = scores.clone();
    this.byteIds = byteIds.clone();
    this.unkId = unkId;
    this.asciiIds = new int[128];
    for (char c = 0; c < 128; c++) {
      asciiIds[c] = this.textPieces.getOrDefault(String.valueOf(c), -1);
    }
    this.merges = pairTable(this.textPieces, scores);
  }

  /** For every mergeable piece p and every split p = a + b into pieces a and b: (a, b) -> p. */
  private static LongIntMap pairTable(Map<String, Integer> textPieces, float[] scores) {
    LongIntMap table = new LongIntMap(textPieces.size() * 4);
    for (Map.Entry<String, Integer> piece : textPieces.entrySet()) {
      String merged = piece.getKey();
      if (!(scores[piece.getValue()] > MIN_MERGE_SCORE)) {
        continue;
      }
      for (int split = 1; split < merged.length(); split++) {
        Integer left = textPieces.get(merged.substring(0, split));
        Integer right = textPieces.get(merged.substring(split));
        if (left != null && right != null) {
          table.put(pairKey(left, right), piece.getValue());
        }
      }
    }
    return table;
  }

  private static long pairKey(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  EncodedText encode(String text) {
    if (text.isEmpty()) {
      return new EncodedText(new int[0], new int[0], new int[0]);
    }
    Symbols symbols = initialSymbols(text);
    MergeQueue queue = new MergeQueue(symbols.size);
    for (int i = 0; i + 1 < symbols.size; i++) {
      offer(queue, symbols, i, i + 1);
    }
    while (!queue.isEmpty()) {
      int left = queue.topLeft();
      int right = queue.topRight();
      boolean stale = !symbols.adjacentWithIds(left, right, queue.topLeftId(), queue.topRightId());
      int merged = queue.topMergedId();
      queue.removeTop();
      if (stale) {
        continue;
      }
      symbols.merge(left, right, merged);
      if (symbols.prev[left] >= 0) {
        offer(queue, symbols, symbols.prev[left], left);
      }
      if (symbols.next[left] >= 0) {
        offer(queue, symbols, left, symbols.next[left]);
      }
    }
    return symbols.toEncodedText();
  }

  private void offer(MergeQueue queue, Symbols symbols, int left, int right) {
    int leftId = symbols.id[left];
    int rightId = symbols.id[right];
    int merged = merges.get(pairKey(leftId, rightId));
    if (merged >= 0) {
      queue.add(scores[merged], left, right, leftId, rightId, merged);
    }
  }

  /**
   * The dummy prefix and one symbol per UTF-8 character, or one per byte where the character is no
   * piece.
   */
  private Symbols initialSymbols(String text) {
    Symbols symbols = new Symbols(1 + 4 * text.length());
    addCharacter(symbols, " ", 0, 0);
    for (int i = 0; i < text.length(); ) {
      char c = text.charAt(i);
      if (c < 128 && asciiIds[c] >= 0) {
        symbols.add(asciiIds[c], i, i + 1);
        i++;
        continue;
      }
      int end = i + Character.charCount(text.codePointAt(i));
      addCharacter(symbols, text.substring(i, end), i, end);
      i = end;
    }
    return symbols;
  }

  private void addCharacter(Symbols symbols, String character, int start, int end) {
    byte[] utf8 = character.getBytes(StandardCharsets.UTF_8);
    Integer id = textPieces.get(new String(utf8, StandardCharsets.ISO_8859_1));
    if (id != null) {
      symbols.add(id, start, end);
      return;
    }
    for (byte b : utf8) {
      int byteId = byteIds[b & 0xFF];
      symbols.add(byteId >= 0 ? byteId : unkId, start, end);
    }
  }

  /**
   * A doubly linked list of symbols in arrays; a merge keeps the left symbol and unlinks the right
   * one. A candidate is stale once either symbol changed: a merge always changes a symbol's id (its
   * text grows) or removes it.
   */
  private static final class Symbols {
    final int[] id;
    final int[] start;
    final int[] end;
    final int[] prev;
    final int[] next;
    int size;

    Symbols(int capacity) {
      id = new int[capacity];
      start = new int[capacity];
      end = new int[capacity];
      prev = new int[capacity];
      next = new int[capacity];
    }

    void add(int tokenId, int from, int to) {
      id[size] = tokenId;
      start[size] = from;
      end[size] = to;
      prev[size] = size - 1;
      next[size] = -1;
      if (size > 0) {
        next[size - 1] = size;
      }
      size++;
    }

    /** Whether a queued pair still stands: the symbols are neighbours and neither changed since. */
    boolean adjacentWithIds(int left, int right, int leftId, int rightId) {
      return next[left] == right && id[left] == leftId && id[right] == rightId;
    }

    void merge(int left, int right, int mergedId) {
      id[left] = mergedId;
      end[left] = end[right];
      next[left] = next[right];
      if (next[right] >= 0) {
        prev[next[right]] = left;
      }
      id[right] = -1;
      next[right] = -1;
    }

    EncodedText toEncodedText() {
      int[] ids = new int[size];
      int[] starts = new int[size];
      int[] ends = new int[size];
      int n = 0;
      for (int i = 0; i >= 0; i = next[i]) {
        ids[n] = id[i];
        starts[n] = start[i];
        ends[n] = end[i];
        n++;
      }
      return new EncodedText(
          Arrays.copyOf(ids, n), Arrays.copyOf(starts, n), Arrays.copyOf(ends, n));
    }
  }
}
