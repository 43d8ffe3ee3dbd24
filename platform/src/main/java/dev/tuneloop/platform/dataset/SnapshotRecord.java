package dev.tuneloop.platform.dataset;

import java.util.List;
import java.util.Map;

/**
 * One line of a dataset snapshot part: a curated chat ready to train on.
 *
 * @param id the example id (idempotency key) it came from
 * @param messages the curated chat: optional system first, then user and assistant alternating,
 *     ending with assistant
 * @param metadata labels carried from ingest (ticket id, product, ...)
 * @param tokenCount tokens of the rendered chat when curated (for the dataset's template and
 *     tokenizer)
 * @param contentHash SHA-256 hex of the normalised messages
 */
public record SnapshotRecord(
    String id,
    List<Message> messages,
    Map<String, String> metadata,
    int tokenCount,
    String contentHash) {

  /** A chat turn; role is "system", "user" or "assistant". */
  public record Message(String role, String content) {}

  public SnapshotRecord {
    messages = List.copyOf(messages);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }
}
