package dev.tuneloop.platform.kafka;

import com.google.protobuf.MessageLite;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes a Protobuf message as its standard binary encoding. A null value stays null (a tombstone).
 */
public final class ProtobufSerializer<T extends MessageLite> implements Serializer<T> {

  @Override
  public byte[] serialize(String topic, T message) {
    return message == null ? null : message.toByteArray();
  }
}
