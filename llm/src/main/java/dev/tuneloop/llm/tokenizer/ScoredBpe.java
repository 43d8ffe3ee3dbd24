package dev.tuneloop.llm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The scored BPE of llama2.c's {@code tokenizer.bin} (NOTICE.md): a dummy space prefix, one piece per UTF-8
 * character (byte pieces when the character is not a piece), then repeatedly merge the adjacent pair whose
 * concatenation is the highest-scoring piece, the leftmost pair on ties.
 *
 * <p>llama2.c rescans every pair after each merge (O(n^2)); here a priority queue holds the candidate pairs and stale
 * ones are skipped when popped, which picks the same pair at every step in O(n log n).
 *
 * <p>Only text pieces take part in merges: control pieces ({@code <unk>}, BOS, EOS) and byte pieces ({@code <0xNN>})
 * are never produced by concatenation, as in SentencePiece. (llama2.c would also merge into a byte piece's literal
 * text {@code "<0x41>"} if the vocabulary held the partial strings leading there; tok512 cannot, and refusing it keeps
 * decode(encode(text)) == text.)
 */
final class ScoredBpe {

    /** llama2.c starts its best-score search at -1e10, so pieces scoring at or below it never merge. */
    private static final float MIN_MERGE_SCORE = -1e10f;

    private final Map<String, Integer> textPieces; // piece bytes as ISO-8859-1 string -> id
    private final float[] scores;
    private final int[] byteIds;                    // byte value -> id of its <0xNN> piece, or -1
    private final int unkId;

    ScoredBpe(Map<String, Integer> textPieces, float[] scores, int[] byteIds, int unkId) {
        this.textPieces = Map.copyOf(textPieces);
        this.scores = scores.clone();
        this.byteIds = byteIds.clone();
        this.unkId = unkId;
    }

    EncodedText encode(String text) {
        if (text.isEmpty()) {
            return new EncodedText(new int[0], new int[0], new int[0]);
        }
        Symbols symbols = initialSymbols(text);
        PriorityQueue<Candidate> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < symbols.size; i++) {
            offer(queue, symbols, i, i + 1);
        }
        while (!queue.isEmpty()) {
            Candidate best = queue.poll();
            if (symbols.isStale(best)) {
                continue;
            }
            symbols.merge(best.left, best.right, best.id);
            int prev = symbols.prev[best.left];
            int next = symbols.next[best.left];
            if (prev >= 0) {
                offer(queue, symbols, prev, best.left);
            }
            if (next >= 0) {
                offer(queue, symbols, best.left, next);
            }
        }
        return symbols.toEncodedText();
    }

    private void offer(PriorityQueue<Candidate> queue, Symbols symbols, int left, int right) {
        if (symbols.key[left] == null || symbols.key[right] == null) {
            return; // byte pieces do not merge
        }
        String merged = symbols.key[left] + symbols.key[right];
        Integer id = textPieces.get(merged);
        if (id != null && scores[id] > MIN_MERGE_SCORE) {
            queue.add(new Candidate(scores[id], left, right, id,
                    symbols.key[left].length(), symbols.key[right].length()));
        }
    }

    /** The dummy prefix and one symbol per UTF-8 character, or one per byte where the character is no piece. */
    private Symbols initialSymbols(String text) {
        Symbols symbols = new Symbols(1 + text.getBytes(StandardCharsets.UTF_8).length);
        addCharacter(symbols, " ".getBytes(StandardCharsets.US_ASCII), 0, 0);
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int end = i + Character.charCount(codePoint);
            addCharacter(symbols, text.substring(i, end).getBytes(StandardCharsets.UTF_8), i, end);
            i = end;
        }
        return symbols;
    }

    private void addCharacter(Symbols symbols, byte[] utf8, int start, int end) {
        String key = new String(utf8, StandardCharsets.ISO_8859_1);
        Integer id = textPieces.get(key);
        if (id != null) {
            symbols.add(id, key, start, end);
            return;
        }
        for (byte b : utf8) {
            int byteId = byteIds[b & 0xFF];
            symbols.add(byteId >= 0 ? byteId : unkId, null, start, end);
        }
    }

    /** A mergeable adjacent pair; the best has the highest score, then the leftmost position. */
    private record Candidate(float score, int left, int right, int id, int leftLength, int rightLength)
            implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate other) {
            if (score != other.score) { // primitive comparison: -0.0 equals 0.0, as in C
                return score > other.score ? -1 : 1;
            }
            return Integer.compare(left, other.left);
        }
    }

    /** A doubly linked list of symbols in arrays; a merge keeps the left symbol and unlinks the right one. */
    private static final class Symbols {
        final int[] id;
        final String[] key; // null for byte pieces
        final int[] start;
        final int[] end;
        final int[] prev;
        final int[] next;
        int size;

        Symbols(int capacity) {
            id = new int[capacity];
            key = new String[capacity];
            start = new int[capacity];
            end = new int[capacity];
            prev = new int[capacity];
            next = new int[capacity];
        }

        void add(int tokenId, String tokenKey, int from, int to) {
            id[size] = tokenId;
            key[size] = tokenKey;
            start[size] = from;
            end[size] = to;
            prev[size] = size - 1;
            next[size] = -1;
            if (size > 0) {
                next[size - 1] = size;
            }
            size++;
        }

        boolean isStale(Candidate c) {
            return key[c.left] == null || key[c.right] == null || next[c.left] != c.right
                    || key[c.left].length() != c.leftLength || key[c.right].length() != c.rightLength;
        }

        void merge(int left, int right, int mergedId) {
            id[left] = mergedId;
            key[left] = key[left] + key[right];
            end[left] = end[right];
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            key[right] = null;
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
            return new EncodedText(Arrays.copyOf(ids, n), Arrays.copyOf(starts, n), Arrays.copyOf(ends, n));
        }
    }
}
