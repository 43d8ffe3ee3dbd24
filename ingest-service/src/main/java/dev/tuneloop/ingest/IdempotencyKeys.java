package dev.tuneloop.ingest;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Example;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Example ids. A client-supplied key is used as is; otherwise the id is the SHA-256 of tenant,
 * dataset and the canonical chat (a pair and the equivalent conversation hash alike, whatever JSON
 * format carried them), so resubmitting the same content is recognised as a retry.
 */
public final class IdempotencyKeys {

  private IdempotencyKeys() {}

  public static String idFor(String clientKey, Example.Builder example) {
    if (clientKey != null && !clientKey.isBlank()) {
      return clientKey.strip();
    }
    MessageDigest sha = sha256();
    update(sha, example.getTenant());
    update(sha, example.getDataset());
    for (ChatMessage m : Examples.messages(example)) {
      update(sha, m.getRole().name());
      update(sha, m.getContent());
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Length-prefixed so that field boundaries cannot be forged by content ("ab"+"c" differs from
   * "a"+"bc").
   */
  private static void update(MessageDigest sha, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
    sha.update((byte) ':');
    sha.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
