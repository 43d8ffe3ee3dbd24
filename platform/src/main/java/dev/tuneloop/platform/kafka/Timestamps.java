package dev.tuneloop.platform.kafka;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/**
 * The one conversion between {@link Instant} and the Protobuf {@link Timestamp} our events carry.
 */
public final class Timestamps {

  private Timestamps() {}

  /** {@code t} as a Protobuf timestamp, to the nanosecond. */
  public static Timestamp of(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  /** The instant {@code t} stands for; the default (unset) timestamp is the epoch. */
  public static Instant toInstant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
