package dev.tuneloop.llm.chat;

import dev.tuneloop.llm.tokenizer.Llama2cTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shows tokenized chats as text for assertions. */
final class ChatAssertions {

  private static final Pattern BYTE_PIECE = Pattern.compile("<0x([0-9A-F]{2})>");

  private ChatAssertions() {}

  /**
   * Each run of consecutive supervised tokens as the exact text its llama2.c pieces spell (BOS/EOS
   * as <s>, </s>).
   */
  static List<String> supervisedRuns(TokenizedChat chat, Llama2cTokenizer tok) {
    List<String> runs = new ArrayList<>();
    StringBuilder run = null;
    for (int i = 0; i < chat.length(); i++) {
      if (chat.supervised()[i]) {
        if (run == null) {
          run = new StringBuilder();
        }
        run.append(rawPiece(tok, chat.tokens()[i]));
      } else if (run != null) {
        runs.add(run.toString());
        run = null;
      }
    }
    if (run != null) {
      runs.add(run.toString());
    }
    return runs;
  }

  /** The text of all tokens, pieces as written (the dummy prefix space included). */
  static String rawText(int[] ids, Llama2cTokenizer tok) {
    StringBuilder text = new StringBuilder();
    for (int id : ids) {
      text.append(rawPiece(tok, id));
    }
    return text.toString();
  }

  private static String rawPiece(Llama2cTokenizer tok, int id) {
    if (id == tok.bosId()) {
      return "<s>";
    }
    if (id == tok.eosId()) {
      return "</s>";
    }
    Matcher m = BYTE_PIECE.matcher(tok.piece(id));
    return m.matches() ? String.valueOf((char) Integer.parseInt(m.group(1), 16)) : tok.piece(id);
  }
}
