package dev.tuneloop.llm.chat;

import java.util.ArrayList;
import java.util.List;

/** Builds a rendered conversation piece by piece, remembering which pieces are training targets. */
final class ChatTextBuilder {

  private final StringBuilder text = new StringBuilder();
  private final List<RenderedChat.Span> supervised = new ArrayList<>();

  ChatTextBuilder text(String piece) {
    text.append(piece);
    return this;
  }

  ChatTextBuilder supervised(String piece) {
    int start = text.length();
    text.append(piece);
    if (!piece.isEmpty()) {
      supervised.add(new RenderedChat.Span(start, text.length()));
    }
    return this;
  }

  RenderedChat build() {
    return new RenderedChat(text.toString(), supervised);
  }
}
