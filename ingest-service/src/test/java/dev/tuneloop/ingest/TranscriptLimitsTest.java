package dev.tuneloop.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.Speaker;
import dev.tuneloop.proto.v1.SubmitTranscriptRequest;
import dev.tuneloop.proto.v1.Transcript;
import dev.tuneloop.proto.v1.TranscriptPolicy;
import dev.tuneloop.proto.v1.TranscriptTurn;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A transcript's expansion into examples is checked against the limits before it is built. */
class TranscriptLimitsTest {

  private static SubmitTranscriptRequest request(int turns, String text, TranscriptPolicy policy) {
    Transcript.Builder t = Transcript.newBuilder().setId("T-9");
    for (int i = 0; i < turns; i++) {
      t.addTurns(
          TranscriptTurn.newBuilder()
              .setSpeaker(i % 2 == 0 ? Speaker.SPEAKER_CUSTOMER : Speaker.SPEAKER_AGENT)
              .setText(text));
    }
    return SubmitTranscriptRequest.newBuilder()
        .setTenant("acme")
        .setDataset("support")
        .setPolicy(policy)
        .setTranscript(t)
        .build();
  }

  @Test
  void aTranscriptOf25000OneCharacterTurnsIsRefusedNamingTheLimit() {
    // The report's record: 25,000 turns (about 175 KB of Protobuf, under the payload limit). The
    // old
    // code built all 12,500 examples before checking any and ran out of memory; the timeout is only
    // a safety net so that a regression fails instead of hanging the build.
    SubmitTranscriptRequest huge = request(25_000, "x", TranscriptPolicy.EACH_AGENT_REPLY);
    Intake intake = new Intake(IngestLimits.DEFAULTS, Clock.systemUTC());
    assertTimeoutPreemptively(
        Duration.ofMinutes(1),
        () ->
            assertThatThrownBy(() -> intake.toExamples(huge))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessage(
                    "transcript 'T-9' (policy each_agent_reply) gives an example of 25000 messages;"
                        + " the limit is 200 (ingest.max-turns): split the transcript"));
  }

  @Test
  void theTotalBytesOfAllRepliesAreLimitedNotOnlyEachExample() {
    // 100 turns of 1 KB: every example is under 100 KB, but each_agent_reply repeats the history,
    // 50 examples holding 2.5 MB in all.
    IngestLimits limits = new IngestLimits(256 * 1024, 200, 64 * 1024, 64, 1024 * 1024);
    Intake intake = new Intake(limits, Clock.systemUTC());
    String kb = "y".repeat(1024);
    assertThatThrownBy(() -> intake.toExamples(request(100, kb, TranscriptPolicy.EACH_AGENT_REPLY)))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessage(
            "transcript 'T-9' (policy each_agent_reply) expands to 50 examples of 2611200 bytes in"
                + " all; the limit is 1048576 (ingest.max-expanded-bytes): split the transcript or"
                + " use whole_conversation");
    List<Example> whole = intake.toExamples(request(100, kb, TranscriptPolicy.WHOLE_CONVERSATION));
    assertThat(whole).hasSize(1);
    assertThat(whole.getFirst().getConversation().getMessagesCount()).isEqualTo(100);
  }

  @Test
  void aTranscriptWithinTheLimitsGivesOneExamplePerReply() {
    Intake intake = new Intake(IngestLimits.DEFAULTS, Clock.systemUTC());
    List<Example> examples =
        intake.toExamples(request(200, "z", TranscriptPolicy.EACH_AGENT_REPLY));
    assertThat(examples).hasSize(100);
    assertThat(examples.getLast().getConversation().getMessagesCount()).isEqualTo(200);
    assertThat(examples.getLast().getMetadataMap()).containsEntry("transcript_reply", "100");
  }
}
