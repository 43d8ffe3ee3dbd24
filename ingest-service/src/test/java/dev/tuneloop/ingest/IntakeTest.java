package dev.tuneloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Conversation;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.PromptResponse;
import dev.tuneloop.proto.v1.Role;
import dev.tuneloop.proto.v1.Source;
import dev.tuneloop.proto.v1.SubmitRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class IntakeTest {

  private final Intake intake =
      new Intake(
          IngestLimits.DEFAULTS,
          Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC));

  private static SubmitRequest.Builder request() {
    return SubmitRequest.newBuilder().setTenant("acme").setDataset("support");
  }

  @Test
  void sameContentInDifferentFormatsGetsTheSameContentId() {
    Example fromPair =
        intake.toExample(
            request()
                .setPair(PromptResponse.newBuilder().setPrompt("What is 2+2?").setResponse("4"))
                .build(),
            Source.SOURCE_GRPC);
    Example fromAlpaca =
        intake.toExample(
            request().setJson("{\"instruction\": \"What is 2+2?\", \"output\": \"4\"}").build(),
            Source.SOURCE_GRPC);
    Example fromOpenAi =
        intake.toExample(
            request()
                .setConversation(
                    Conversation.newBuilder()
                        .addMessages(
                            ChatMessage.newBuilder()
                                .setRole(Role.ROLE_USER)
                                .setContent("What is 2+2?"))
                        .addMessages(
                            ChatMessage.newBuilder().setRole(Role.ROLE_ASSISTANT).setContent("4")))
                .build(),
            Source.SOURCE_GRPC);
    assertThat(fromPair.getId())
        .hasSize(64)
        .isEqualTo(fromAlpaca.getId())
        .isEqualTo(fromOpenAi.getId());
    assertThat(fromAlpaca.getFormat()).isEqualTo("alpaca");
  }

  @Test
  void contentIdDependsOnDatasetAndContent() {
    PromptResponse pair =
        PromptResponse.newBuilder().setPrompt("Hi").setResponse("Hello there").build();
    String a = intake.toExample(request().setPair(pair).build(), Source.SOURCE_GRPC).getId();
    String b =
        intake
            .toExample(request().setDataset("other").setPair(pair).build(), Source.SOURCE_GRPC)
            .getId();
    String c =
        intake
            .toExample(
                request().setPair(pair.toBuilder().setResponse("Hello there!")).build(),
                Source.SOURCE_GRPC)
            .getId();
    assertThat(a).isNotEqualTo(b).isNotEqualTo(c);
  }

  @Test
  void clientKeyIsTheIdAndMetadataAndTimeAreKept() {
    Example e =
        intake.toExample(
            request()
                .setIdempotencyKey("ticket-77")
                .putMetadata("lang", "en")
                .setPair(PromptResponse.newBuilder().setPrompt("p").setResponse("r"))
                .build(),
            Source.SOURCE_GRPC_STREAM);
    assertThat(e.getId()).isEqualTo("ticket-77");
    assertThat(e.getMetadataMap()).containsEntry("lang", "en");
    assertThat(e.getReceivedAt().getSeconds())
        .isEqualTo(Instant.parse("2026-01-02T03:04:05Z").getEpochSecond());
    assertThat(e.getSource()).isEqualTo(Source.SOURCE_GRPC_STREAM);
  }

  @Test
  void oversizedPayloadNamesTheLimitKey() {
    Intake small = new Intake(new IngestLimits(100, 10, 1000, 4, 1_000_000), Clock.systemUTC());
    assertThatThrownBy(
            () ->
                small.toExample(
                    request()
                        .setPair(
                            PromptResponse.newBuilder().setPrompt("x".repeat(200)).setResponse("y"))
                        .build(),
                    Source.SOURCE_GRPC))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("the limit is 100 (ingest.max-payload-bytes)");
  }

  @Test
  void tooManyTurnsIsRefused() {
    Intake small = new Intake(new IngestLimits(100_000, 2, 1000, 4, 1_000_000), Clock.systemUTC());
    assertThatThrownBy(
            () ->
                small.toExample(
                    request()
                        .setPair(
                            PromptResponse.newBuilder()
                                .setSystem("s")
                                .setPrompt("p")
                                .setResponse("r"))
                        .build(),
                    Source.SOURCE_GRPC))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage("example has 3 messages; the limit is 2 (ingest.max-turns)");
  }

  @Test
  void tooLongMessageIsRefused() {
    Intake small = new Intake(new IngestLimits(100_000, 10, 5, 4, 1_000_000), Clock.systemUTC());
    assertThatThrownBy(
            () ->
                small.toExample(
                    request()
                        .setPair(
                            PromptResponse.newBuilder().setPrompt("p").setResponse("a long answer"))
                        .build(),
                    Source.SOURCE_GRPC))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("message 1 has 13 characters; the limit is 5");
  }

  @Test
  void unsafeDatasetNameIsRefused() {
    assertThatThrownBy(
            () ->
                intake.toExample(
                    request()
                        .setDataset("../etc")
                        .setPair(PromptResponse.newBuilder().setPrompt("p").setResponse("r"))
                        .build(),
                    Source.SOURCE_GRPC))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("dataset '../etc' must be");
  }

  @Test
  void requestWithoutRecordIsRefused() {
    assertThatThrownBy(() -> intake.toExample(request().build(), Source.SOURCE_GRPC))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("set pair, conversation or json");
  }

  @Test
  void anIdempotencyKeyLongerThanTheSharedLimitIsRefused() {
    SubmitRequest tooLong =
        request()
            .setIdempotencyKey("k".repeat(129))
            .setPair(PromptResponse.newBuilder().setPrompt("p").setResponse("r"))
            .build();
    assertThatThrownBy(() -> intake.toExample(tooLong, Source.SOURCE_GRPC))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage("idempotency_key is 129 characters; the limit is 128 (a UUID or a hash fits)");
    assertThatThrownBy(
            () ->
                intake.toExample(
                    "acme",
                    "support",
                    "{\"prompt\": \"p\", \"response\": \"r\"}",
                    "",
                    "k".repeat(500)))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageStartingWith("idempotency_key is 500 characters");
  }

  @Test
  void aDatasetNameOverSixtyFourCharactersIsRefusedAsAtTheGateway() {
    assertThatThrownBy(
            () ->
                intake.toExample(
                    request()
                        .setDataset("d".repeat(65))
                        .setPair(PromptResponse.newBuilder().setPrompt("p").setResponse("r"))
                        .build(),
                    Source.SOURCE_GRPC))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("must be 1-64 characters");
  }
}
