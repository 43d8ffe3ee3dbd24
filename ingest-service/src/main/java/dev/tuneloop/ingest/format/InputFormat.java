package dev.tuneloop.ingest.format;

import dev.tuneloop.ingest.InvalidRecordException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The JSON record shapes ingest understands; the lower-case name is what clients send and what
 * Example.format holds.
 */
public enum InputFormat {
  AUTO,
  PAIR,
  ALPACA,
  SHAREGPT,
  OPENAI,
  DELIMITED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Empty means AUTO; anything unknown is an error listing the known names. */
  public static InputFormat parse(String name) {
    if (name == null || name.isBlank()) {
      return AUTO;
    }
    for (InputFormat f : values()) {
      if (f.wireName().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    throw new InvalidRecordException(
        "unknown format '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(InputFormat::wireName).collect(Collectors.joining(", ")));
  }
}
