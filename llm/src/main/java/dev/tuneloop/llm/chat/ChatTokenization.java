package dev.tuneloop.llm.chat;

import dev.tuneloop.llm.tokenizer.EncodedText;
import dev.tuneloop.llm.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * Tokenizes a rendered conversation: the template's BOS and EOS texts become the tokenizer's BOS
 * and EOS ids, the text between them is encoded as usual (which is also how Hugging Face tokenizers
 * treat special tokens: split out first, the pieces between encoded separately), and a token is
 * supervised when the text it starts at is.
 */
final class ChatTokenization {

  private ChatTokenization() {}

  static TokenizedChat tokenize(
      RenderedChat rendered, ChatTemplate template, Tokenizer tok, boolean trainOnInputs) {
    String text = rendered.text();
    IntList ids = new IntList();
    IntList starts = new IntList();
    String bos = tok.bosId() >= 0 ? template.bosToken() : "";
    String eos = tok.eosId() >= 0 ? template.eosToken() : "";
    int pos = 0;
    while (pos < text.length()) {
      int nextBos = bos.isEmpty() ? -1 : text.indexOf(bos, pos);
      int nextEos = eos.isEmpty() ? -1 : text.indexOf(eos, pos);
      boolean eosFirst =
          nextEos >= 0
              && (nextBos < 0
                  || nextEos < nextBos
                  || (nextEos == nextBos && eos.length() > bos.length()));
      int next = eosFirst ? nextEos : nextBos;
      int end = next < 0 ? text.length() : next;
      if (end > pos) {
        EncodedText encoded = tok.encodeWithOffsets(text.substring(pos, end));
        for (int i = 0; i < encoded.size(); i++) {
          ids.add(encoded.ids()[i]);
          starts.add(pos + encoded.starts()[i]);
        }
      }
      if (next < 0) {
        break;
      }
      ids.add(eosFirst ? tok.eosId() : tok.bosId());
      starts.add(next);
      pos = next + (eosFirst ? eos : bos).length();
    }
    if (tok.addsBos() && (ids.size == 0 || ids.values[0] != tok.bosId())) {
      ids.insertFirst(tok.bosId());
      starts.insertFirst(-1);
    }
    boolean[] supervised = new boolean[ids.size];
    for (int i = 0; i < ids.size; i++) {
      supervised[i] = trainOnInputs || rendered.isSupervised(starts.values[i]);
    }
    return new TokenizedChat(ids.toArray(), supervised);
  }

  private static final class IntList {
    int[] values = new int[64];
    int size;

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    void insertFirst(int value) {
      add(0);
      System.arraycopy(values, 0, values, 1, size - 1);
      values[0] = value;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
