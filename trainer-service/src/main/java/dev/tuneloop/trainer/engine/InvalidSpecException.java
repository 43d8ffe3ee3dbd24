package dev.tuneloop.trainer.engine;

import java.util.List;

/**
 * A job spec that cannot run; each problem names the field and why, e.g. "lora_r: must be at least
 * 1, got 0".
 */
public final class InvalidSpecException extends IllegalArgumentException {

  private final List<String> problems;

  public InvalidSpecException(List<String> problems) {
    super("invalid training job spec: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
