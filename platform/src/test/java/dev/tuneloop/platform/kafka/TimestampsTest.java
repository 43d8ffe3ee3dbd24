package dev.tuneloop.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  @Test
  void of_keepsSecondsAndNanos() {
    Timestamp t = Timestamps.of(Instant.parse("2026-03-01T12:34:56.123456789Z"));

    assertThat(t.getSeconds()).isEqualTo(1772368496L);
    assertThat(t.getNanos()).isEqualTo(123456789);
  }

  @Test
  void toInstant_roundTripsToTheNanosecond() {
    Instant before = Instant.parse("1969-12-31T23:59:59.5Z"); // negative seconds, positive nanos

    assertThat(Timestamps.toInstant(Timestamps.of(before))).isEqualTo(before);
  }

  @Test
  void toInstant_ofUnsetTimestampIsTheEpoch() {
    assertThat(Timestamps.toInstant(Timestamp.getDefaultInstance())).isEqualTo(Instant.EPOCH);
  }
}
