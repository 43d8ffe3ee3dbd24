package dev.tuneloop.curation.memory;

import dev.tuneloop.proto.v1.ChatMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * SHA-256 (hex) of normalised messages, length-prefixed so field boundaries cannot be forged: the
 * exact-duplicate key.
 */
public final class ContentHash {

  private ContentHash() {}

  public static String of(List<ChatMessage> messages) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (ChatMessage m : messages) {
        update(sha, m.getRole().name());
        update(sha, m.getContent());
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void update(MessageDigest sha, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
    sha.update((byte) ':');
    sha.update(bytes);
  }
}
