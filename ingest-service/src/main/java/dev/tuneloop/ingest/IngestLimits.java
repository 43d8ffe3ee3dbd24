package dev.tuneloop.ingest;

import dev.tuneloop.ingest.transcript.TranscriptSplitter.Expansion;
import dev.tuneloop.platform.config.Names;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.TranscriptPolicy;
import java.util.List;

/**
 * What one record may hold. Oversized input is refused at the door with the limit's configuration
 * key, so a client knows what to change; curation's own LIMIT_EXCEEDED covers records that arrive
 * by other routes.
 *
 * @param maxPayloadBytes serialized size of one submitted record ({@code ingest.max-payload-bytes})
 * @param maxTurns messages in one example ({@code ingest.max-turns})
 * @param maxMessageChars characters in one message ({@code ingest.max-message-chars})
 * @param maxMetadataEntries metadata labels on one example ({@code ingest.max-metadata-entries})
 * @param maxExpandedBytes message bytes of all examples one transcript becomes ({@code
 *     ingest.max-expanded-bytes}); {@code EACH_AGENT_REPLY} repeats the history before every reply
 */
public record IngestLimits(
    int maxPayloadBytes,
    int maxTurns,
    int maxMessageChars,
    int maxMetadataEntries,
    long maxExpandedBytes) {

  public static final IngestLimits DEFAULTS =
      new IngestLimits(256 * 1024, 200, 64 * 1024, 64, 16L * 1024 * 1024);

  public void checkPayload(int bytes) {
    if (bytes > maxPayloadBytes) {
      throw new InvalidRecordException(
          "record is "
              + bytes
              + " bytes; the limit is "
              + maxPayloadBytes
              + " (ingest.max-payload-bytes)");
    }
  }

  /**
   * Refuses a transcript whose examples would break a limit, before any of them is built: the
   * figures come from {@link Expansion}, computed in one pass over the transcript.
   */
  public void checkExpansion(String transcript, TranscriptPolicy policy, Expansion expansion) {
    String what = "transcript " + transcript + " (policy " + policyName(policy) + ")";
    if (expansion.longestMessages() > maxTurns) {
      throw new InvalidRecordException(
          what
              + " gives an example of "
              + expansion.longestMessages()
              + " messages; the limit is "
              + maxTurns
              + " (ingest.max-turns): split the transcript");
    }
    if (expansion.longestBytes() > maxPayloadBytes) {
      throw new InvalidRecordException(
          what
              + " gives an example of "
              + expansion.longestBytes()
              + " bytes; the limit is "
              + maxPayloadBytes
              + " (ingest.max-payload-bytes)");
    }
    if (expansion.totalBytes() > maxExpandedBytes) {
      throw new InvalidRecordException(
          what
              + " expands to "
              + expansion.examples()
              + " examples of "
              + expansion.totalBytes()
              + " bytes in all; the limit is "
              + maxExpandedBytes
              + " (ingest.max-expanded-bytes): split the transcript or use whole_conversation");
    }
  }

  private static String policyName(TranscriptPolicy policy) {
    return policy == TranscriptPolicy.EACH_AGENT_REPLY ? "each_agent_reply" : "whole_conversation";
  }

  /** Tenant and dataset names: {@link Names}, the rule the gateway applies too. */
  public static void checkName(String field, String value) {
    String problem = Names.nameProblem(value);
    if (problem != null) {
      throw new InvalidRecordException(field + " " + problem);
    }
  }

  /** A client's idempotency key: {@link Names#idempotencyKeyProblem}, as at the gateway. */
  public static void checkIdempotencyKey(String key) {
    String problem = Names.idempotencyKeyProblem(key == null ? null : key.strip());
    if (problem != null) {
      throw new InvalidRecordException("idempotency_key " + problem);
    }
  }

  public void check(Example.Builder example) {
    checkName("tenant", example.getTenant());
    checkName("dataset", example.getDataset());
    List<ChatMessage> messages = Examples.messages(example);
    if (messages.size() > maxTurns) {
      throw new InvalidRecordException(
          "example has "
              + messages.size()
              + " messages; the limit is "
              + maxTurns
              + " (ingest.max-turns)");
    }
    for (int i = 0; i < messages.size(); i++) {
      int chars = messages.get(i).getContent().length();
      if (chars > maxMessageChars) {
        throw new InvalidRecordException(
            "message "
                + i
                + " has "
                + chars
                + " characters; the limit is "
                + maxMessageChars
                + " (ingest.max-message-chars)");
      }
    }
    if (example.getMetadataCount() > maxMetadataEntries) {
      throw new InvalidRecordException(
          "example has "
              + example.getMetadataCount()
              + " metadata entries; the limit is "
              + maxMetadataEntries
              + " (ingest.max-metadata-entries)");
    }
  }
}
