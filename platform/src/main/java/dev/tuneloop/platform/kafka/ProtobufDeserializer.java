package dev.tuneloop.platform.kafka;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Protobuf record values into {@link Decoded}: bytes that do not parse become {@link
 * Decoded.Malformed} with the raw bytes kept, so a consumer can dead-letter them and carry on (it
 * never throws on bad bytes). A null value (a tombstone) reads as null.
 *
 * <p>Construct with a parser ({@code new ProtobufDeserializer<>(Example.parser())}), or, when Kafka
 * instantiates it from configuration, set {@value #VALUE_TYPE_CONFIG} (or {@value
 * #KEY_TYPE_CONFIG}) to the message class name.
 */
public final class ProtobufDeserializer<T extends MessageLite> implements Deserializer<Decoded<T>> {

  public static final String VALUE_TYPE_CONFIG = "tuneloop.protobuf.value.type";
  public static final String KEY_TYPE_CONFIG = "tuneloop.protobuf.key.type";

  private Parser<T> parser;

  public ProtobufDeserializer(Parser<T> parser) {
    this.parser = Objects.requireNonNull(parser, "parser");
  }

  /**
   * For instantiation by class name from Kafka configuration; {@link #configure} then picks the
   * type.
   */
  public ProtobufDeserializer() {}

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs, boolean isKey) {
    if (parser != null) return;
    Object type = configs.get(isKey ? KEY_TYPE_CONFIG : VALUE_TYPE_CONFIG);
    if (type == null) {
      throw new IllegalArgumentException(
          "ProtobufDeserializer needs "
              + (isKey ? KEY_TYPE_CONFIG : VALUE_TYPE_CONFIG)
              + " set to a Protobuf message class name");
    }
    try {
      Class<?> cls = type instanceof Class<?> c ? c : Class.forName(type.toString());
      MessageLite defaults = (MessageLite) cls.getMethod("getDefaultInstance").invoke(null);
      parser = (Parser<T>) defaults.getParserForType();
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalArgumentException("'" + type + "' is not a Protobuf message class", e);
    }
  }

  @Override
  public Decoded<T> deserialize(String topic, byte[] data) {
    if (data == null) return null;
    if (parser == null)
      throw new IllegalStateException("ProtobufDeserializer used before configure()");
    try {
      return new Decoded.Valid<>(parser.parseFrom(data));
    } catch (InvalidProtocolBufferException e) {
      return new Decoded.Malformed<>(
          data, "not a valid Protobuf message on " + topic + ": " + e.getMessage());
    }
  }
}
