package dev.tuneloop.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {

  @Test
  void namesAreOneToSixtyFourSafeCharacters() {
    assertThat(Names.nameProblem("support-bot_v2.1")).isNull();
    assertThat(Names.nameProblem("a".repeat(64))).isNull();
    assertThat(Names.nameProblem("a".repeat(65))).contains("must be 1-64 characters");
    assertThat(Names.nameProblem("../etc")).startsWith("'../etc' must be");
    assertThat(Names.nameProblem("a/b")).isNotNull();
    assertThat(Names.nameProblem("")).isEqualTo("is required");
    assertThat(Names.nameProblem("x".repeat(10_000))).hasSizeLessThan(200);
  }

  @Test
  void idempotencyKeysAreBoundedVisibleAscii() {
    assertThat(Names.idempotencyKeyProblem(null)).isNull();
    assertThat(Names.idempotencyKeyProblem("")).isNull();
    assertThat(Names.idempotencyKeyProblem("order-42:attempt-1")).isNull();
    assertThat(Names.idempotencyKeyProblem("k".repeat(128))).isNull();
    assertThat(Names.idempotencyKeyProblem("k".repeat(129)))
        .isEqualTo("is 129 characters; the limit is 128 (a UUID or a hash fits)");
    assertThat(Names.idempotencyKeyProblem("a b")).contains("visible ASCII");
  }
}
