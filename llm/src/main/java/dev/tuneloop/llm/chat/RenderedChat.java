package dev.tuneloop.llm.chat;

import java.util.List;

/**
 * A rendered conversation and the parts of its text that are training targets: each assistant
 * turn's content and the marker that ends it, as half-open UTF-16 index ranges in order.
 */
public record RenderedChat(String text, List<Span> supervised) {

  public RenderedChat {
    supervised = List.copyOf(supervised);
  }

  /** The half-open range {@code [start, end)} of {@link #text()}. */
  public record Span(int start, int end) {
    public Span {
      if (start < 0 || end < start) {
        throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
      }
    }

    boolean contains(int index) {
      return index >= start && index < end;
    }
  }

  boolean isSupervised(int index) {
    for (Span span : supervised) {
      if (span.contains(index)) {
        return true;
      }
    }
    return false;
  }

  /** The supervised text, for tests and logs. */
  public List<String> supervisedText() {
    return supervised.stream().map(s -> text.substring(s.start(), s.end())).toList();
  }
}
