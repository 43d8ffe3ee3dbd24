package dev.tuneloop.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.proto.v1.ChatChunk;
import dev.tuneloop.proto.v1.ChatResponse;
import dev.tuneloop.proto.v1.FinishReason;
import dev.tuneloop.proto.v1.Usage;
import org.junit.jupiter.api.Test;

class ChatCompletionJsonTest {
  private static final Usage USAGE =
      Usage.newBuilder().setPromptTokens(5).setCompletionTokens(3).build();

  @Test
  void completionHasOpenAisShapeWithUsageTheRequestedModelAndTheVersionAsFingerprint() {
    var json =
        ChatCompletionJson.completion(
            "chatcmpl-1",
            1700000000L,
            "support",
            ChatResponse.newBuilder()
                .setText("Hello")
                .setFinishReason(FinishReason.FINISH_REASON_LENGTH)
                .setUsage(USAGE)
                .setAdapterVersion("v2")
                .build());

    assertThat(json.get("object").asText()).isEqualTo("chat.completion");
    // clients compare model with what they sent; the version that answered is the fingerprint
    assertThat(json.get("model").asText()).isEqualTo("support");
    assertThat(json.get("system_fingerprint").asText()).isEqualTo("tuneloop-v2");
    assertThat(json.at("/choices/0/message/role").asText()).isEqualTo("assistant");
    assertThat(json.at("/choices/0/message/content").asText()).isEqualTo("Hello");
    assertThat(json.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(json.at("/usage/total_tokens").asInt()).isEqualTo(8);
  }

  @Test
  void firstChunkCarriesTheRoleAndTheLastOneFinishReasonAndUsage() {
    var first =
        ChatCompletionJson.chunk(
            "c", 1L, "base", "", ChatChunk.newBuilder().setDelta("Hel").build(), true);
    var last =
        ChatCompletionJson.chunk(
            "c",
            1L,
            "base",
            "",
            ChatChunk.newBuilder()
                .setFinishReason(FinishReason.FINISH_REASON_STOP)
                .setUsage(USAGE)
                .build(),
            false);

    assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(first.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(first.at("/choices/0/delta/content").asText()).isEqualTo("Hel");
    assertThat(first.at("/choices/0/finish_reason").isNull()).isTrue();
    assertThat(first.has("usage")).isFalse();
    assertThat(last.at("/choices/0/delta").isEmpty()).isTrue();
    assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(last.at("/usage/prompt_tokens").asInt()).isEqualTo(5);
    assertThat(first.get("system_fingerprint").asText()).isEqualTo("tuneloop-base");
  }

  @Test
  void aChunkOfAnAliasKeepsTheAliasAsModelAndNamesTheVersionOnlyOnceKnown() {
    var known =
        ChatCompletionJson.chunk(
            "c",
            1L,
            "support@candidate",
            "0123456789abcdef",
            ChatChunk.newBuilder().setDelta("Hi").build(),
            true);
    var unknown =
        ChatCompletionJson.chunk(
            "c", 1L, "support", "", ChatChunk.newBuilder().setDelta("Hi").build(), true);

    assertThat(known.get("model").asText()).isEqualTo("support@candidate");
    assertThat(known.get("system_fingerprint").asText()).isEqualTo("tuneloop-0123456789abcdef");
    assertThat(unknown.has("system_fingerprint")).isFalse();
  }
}
