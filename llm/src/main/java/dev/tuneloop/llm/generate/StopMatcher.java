package dev.tuneloop.llm.generate;

import java.util.List;

/**
 * Accumulates generated text, finds stop sequences, and releases only text that cannot be the
 * beginning of one: a suffix that is a prefix of some stop sequence is held back until the next
 * text decides.
 */
final class StopMatcher {
  private final List<String> stops;
  private final StringBuilder text = new StringBuilder();
  private int released;
  private boolean stopped;

  StopMatcher(List<String> stops) {
    this.stops = stops;
  }

  /** Adds text and returns what can now be released. */
  String append(String piece) {
    text.append(piece);
    int stopAt = firstStop();
    if (stopAt >= 0) {
      stopped = true;
      text.setLength(stopAt);
      return release(stopAt);
    }
    return release(text.length() - heldBack());
  }

  /**
   * Adds the decoder's last text and releases everything left (there is nothing more to wait for).
   */
  String finish(String piece) {
    String last = append(piece);
    return stopped ? last : last + release(text.length());
  }

  boolean stopped() {
    return stopped;
  }

  /** The text so far, cut before a stop sequence. */
  String text() {
    return text.toString();
  }

  private String release(int upTo) {
    if (upTo <= released) {
      return "";
    }
    String out = text.substring(released, upTo);
    released = upTo;
    return out;
  }

  private int firstStop() {
    int first = -1;
    for (String stop : stops) {
      int from = Math.max(0, released - stop.length());
      int at = text.indexOf(stop, from);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  /** Length of the longest suffix of the text that is a proper prefix of a stop sequence. */
  private int heldBack() {
    int held = 0;
    String current = text.toString();
    for (String stop : stops) {
      for (int len = Math.min(stop.length() - 1, current.length()); len > held; len--) {
        if (current.regionMatches(current.length() - len, stop, 0, len)) {
          held = len;
          break;
        }
      }
    }
    return held;
  }
}
