package dev.tuneloop.platform.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtobufDeserializerTest {
  private final ProtobufDeserializer<Example> deserializer =
      new ProtobufDeserializer<>(Example.parser());

  @Test
  void validBytesDecodeToTheMessage() {
    Example example =
        Example.newBuilder()
            .setId("e1")
            .setTenant("acme")
            .setPair(PromptResponse.newBuilder().setPrompt("hi").setResponse("hello"))
            .build();

    Decoded<Example> decoded =
        deserializer.deserialize("t", new ProtobufSerializer<Example>().serialize("t", example));

    assertThat(decoded.isValid()).isTrue();
    assertThat(decoded.value()).isEqualTo(example);
  }

  @Test
  void badBytesAreSurfacedWithTheRawBytesNotThrown() {
    byte[] bad = "not protobuf at all".getBytes(StandardCharsets.UTF_8);

    Decoded<Example> decoded = deserializer.deserialize("examples.raw", bad);

    assertThat(decoded.isValid()).isFalse();
    Decoded.Malformed<Example> malformed = (Decoded.Malformed<Example>) decoded;
    assertThat(malformed.bytes()).isEqualTo(bad);
    assertThat(malformed.error()).contains("examples.raw");
    assertThatThrownBy(decoded::value)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("malformed");
  }

  @Test
  void truncatedMessageIsMalformed() {
    byte[] whole = Example.newBuilder().setId("a-fairly-long-id").build().toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 3);

    assertThat(deserializer.deserialize("t", truncated).isValid()).isFalse();
  }

  @Test
  void tombstoneReadsAsNull() {
    assertThat(deserializer.deserialize("t", null)).isNull();
    assertThat(new ProtobufSerializer<Example>().serialize("t", null)).isNull();
  }

  @Test
  void typeCanComeFromConfigurationWhenKafkaInstantiatesIt() {
    var configured = new ProtobufDeserializer<Example>();
    configured.configure(
        Map.of(ProtobufDeserializer.VALUE_TYPE_CONFIG, Example.class.getName()), false);

    Example example = Example.newBuilder().setId("x").build();
    assertThat(configured.deserialize("t", example.toByteArray()).value()).isEqualTo(example);
  }

  @Test
  void configurationWithoutTypeNamesTheMissingKey() {
    assertThatThrownBy(() -> new ProtobufDeserializer<Example>().configure(Map.of(), false))
        .hasMessageContaining(ProtobufDeserializer.VALUE_TYPE_CONFIG);
  }
}
