package dev.tuneloop.llm.chat;

import java.util.Locale;

/**
 * Who speaks a chat message; {@link #wireName()} is the name chat templates and OpenAI-style APIs
 * use.
 */
public enum Role {
  SYSTEM,
  USER,
  ASSISTANT;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code "system"}, {@code "user"} or {@code "assistant"} (any case). */
  public static Role parse(String name) {
    for (Role role : values()) {
      if (role.wireName().equalsIgnoreCase(name)) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "unknown chat role '" + name + "': expected system, user or assistant");
  }
}
