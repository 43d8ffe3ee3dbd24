package dev.tuneloop.platform.kafka;

import java.util.Objects;

/**
 * The outcome of decoding one Kafka record value: the message, or the undecodable bytes with the
 * reason. A bad record is data for a dead-letter topic, never an exception that stops a consumer.
 *
 * @param <T> the Protobuf message type
 */
public sealed interface Decoded<T> {

  boolean isValid();

  /** The message; throws {@link IllegalStateException} for a malformed record. */
  T value();

  /** Valid message. */
  record Valid<T>(T message) implements Decoded<T> {
    public Valid {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public boolean isValid() {
      return true;
    }

    @Override
    public T value() {
      return message;
    }
  }

  /**
   * Bytes that did not parse as the expected type.
   *
   * @param bytes the record value exactly as read, for dead-lettering (e.g. {@code
   *     RejectedExample.raw_payload})
   * @param error why parsing failed
   */
  record Malformed<T>(byte[] bytes, String error) implements Decoded<T> {
    public Malformed {
      bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    @Override
    public boolean isValid() {
      return false;
    }

    @Override
    public T value() {
      throw new IllegalStateException("record is malformed: " + error);
    }
  }
}
