package dev.tuneloop.ingest.transcript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.ingest.InvalidRecordException;
import dev.tuneloop.ingest.transcript.TranscriptSplitter.Expansion;
import dev.tuneloop.ingest.transcript.TranscriptSplitter.Plan;
import dev.tuneloop.ingest.transcript.TranscriptSplitter.TranscriptExample;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Role;
import dev.tuneloop.proto.v1.Speaker;
import dev.tuneloop.proto.v1.Transcript;
import dev.tuneloop.proto.v1.TranscriptPolicy;
import dev.tuneloop.proto.v1.TranscriptTurn;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TranscriptSplitterTest {

  private final TranscriptSplitter splitter = new TranscriptSplitter();

  /**
   * A realistic ticket: greeting before the customer speaks, a double message, a transfer note, a
   * trailing thanks.
   */
  private static Transcript ticket() {
    return Transcript.newBuilder()
        .setId("T-1001")
        .putMetadata("product", "router")
        .addTurns(turn(Speaker.SPEAKER_AGENT, "Hi, this is Sam from support."))
        .addTurns(turn(Speaker.SPEAKER_CUSTOMER, "My router keeps rebooting."))
        .addTurns(turn(Speaker.SPEAKER_CUSTOMER, "Every ten minutes or so."))
        .addTurns(turn(Speaker.SPEAKER_AGENT, "Which firmware version does the status page show?"))
        .addTurns(turn(Speaker.SPEAKER_SYSTEM, "Chat transferred to tier 2"))
        .addTurns(turn(Speaker.SPEAKER_CUSTOMER, "It says 2.1.4."))
        .addTurns(
            TranscriptTurn.newBuilder()
                .setSpeaker(Speaker.SPEAKER_AGENT)
                .setText("Please update to 2.2.0; it fixes the reboot loop.")
                .putMetadata("resolution", "firmware"))
        .addTurns(turn(Speaker.SPEAKER_CUSTOMER, "Thanks!"))
        .build();
  }

  private static TranscriptTurn turn(Speaker speaker, String text) {
    return TranscriptTurn.newBuilder().setSpeaker(speaker).setText(text).build();
  }

  @Test
  void wholeConversationIsOneAlternatingChatEndingWithTheLastAgentReply() {
    List<TranscriptExample> examples =
        splitter.split(ticket(), TranscriptPolicy.WHOLE_CONVERSATION, "You are router support.");
    assertThat(examples).hasSize(1);
    List<ChatMessage> messages = examples.getFirst().conversation().getMessagesList();
    assertThat(messages)
        .extracting(ChatMessage::getRole)
        .containsExactly(
            Role.ROLE_SYSTEM,
            Role.ROLE_USER,
            Role.ROLE_ASSISTANT,
            Role.ROLE_USER,
            Role.ROLE_ASSISTANT);
    assertThat(messages.get(1).getContent())
        .isEqualTo("My router keeps rebooting.\nEvery ten minutes or so.");
    assertThat(messages.getLast().getContent()).startsWith("Please update to 2.2.0");
    assertThat(examples.getFirst().metadata())
        .containsEntry("transcript_id", "T-1001")
        .containsEntry("product", "router")
        .containsEntry("resolution", "firmware");
  }

  @Test
  void eachAgentReplyGivesOneExamplePerReplyWithItsPrecedingContext() {
    List<TranscriptExample> examples =
        splitter.split(ticket(), TranscriptPolicy.EACH_AGENT_REPLY, "");
    assertThat(examples).hasSize(2);
    assertThat(examples.get(0).conversation().getMessagesList())
        .extracting(ChatMessage::getContent)
        .containsExactly(
            "My router keeps rebooting.\nEvery ten minutes or so.",
            "Which firmware version does the status page show?");
    assertThat(examples.get(1).conversation().getMessagesCount()).isEqualTo(4);
    assertThat(examples.get(1).conversation().getMessages(3).getContent())
        .startsWith("Please update");
    assertThat(examples.get(0).metadata())
        .containsEntry("transcript_reply", "1")
        .doesNotContainKey("resolution");
    assertThat(examples.get(1).metadata())
        .containsEntry("transcript_reply", "2")
        .containsEntry("resolution", "firmware");
  }

  @Test
  void unspecifiedPolicyMeansWholeConversation() {
    assertThat(splitter.split(ticket(), TranscriptPolicy.TRANSCRIPT_POLICY_UNSPECIFIED, ""))
        .hasSize(1);
  }

  @Test
  void transcriptWithoutAnAnsweredCustomerTurnIsRefused() {
    Transcript unanswered =
        Transcript.newBuilder()
            .setId("T-2")
            .addTurns(turn(Speaker.SPEAKER_AGENT, "Hello?"))
            .addTurns(turn(Speaker.SPEAKER_CUSTOMER, "Is anyone there?"))
            .build();
    assertThatThrownBy(() -> splitter.split(unanswered, TranscriptPolicy.EACH_AGENT_REPLY, ""))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("transcript 'T-2' has no customer turn answered by an agent turn");
  }

  @Test
  void turnWithoutSpeakerIsNamedByIndex() {
    Transcript bad =
        Transcript.newBuilder().addTurns(TranscriptTurn.newBuilder().setText("hm")).build();
    assertThatThrownBy(() -> splitter.split(bad, TranscriptPolicy.WHOLE_CONVERSATION, ""))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("turn 0 has no speaker");
  }

  /** Customer and agent alternating, {@code n} turns of one character each. */
  static Transcript alternating(int n) {
    Transcript.Builder t = Transcript.newBuilder().setId("T-long");
    for (int i = 0; i < n; i++) {
      t.addTurns(turn(i % 2 == 0 ? Speaker.SPEAKER_CUSTOMER : Speaker.SPEAKER_AGENT, "x"));
    }
    return t.build();
  }

  @Test
  void expansionIsMeasuredWithoutBuildingTheExamples() {
    // 25,000 turns give 12,500 examples of 2, 4, ... 25,000 messages: 156 million messages that
    // were never built (the old splitter ran out of memory building them).
    Expansion e =
        splitter.plan(alternating(25_000), TranscriptPolicy.EACH_AGENT_REPLY, "").expansion();
    assertThat(e.examples()).isEqualTo(12_500);
    assertThat(e.longestMessages()).isEqualTo(25_000);
    assertThat(e.longestBytes()).isEqualTo(25_000);
    assertThat(e.totalBytes()).isEqualTo(12_500L * 12_501); // sum of 2k for k = 1..12,500
  }

  @Test
  void expansionAgreesWithTheExamplesBuilt() {
    Plan plan = splitter.plan(ticket(), TranscriptPolicy.EACH_AGENT_REPLY, "Be kind.");
    List<TranscriptExample> examples = plan.examples();
    long total = 0;
    long longest = 0;
    for (TranscriptExample example : examples) {
      long bytes = 0;
      for (ChatMessage m : example.conversation().getMessagesList()) {
        bytes += m.getContent().getBytes(StandardCharsets.UTF_8).length;
      }
      total += bytes;
      longest = Math.max(longest, bytes);
    }
    assertThat(plan.expansion())
        .isEqualTo(
            new Expansion(
                examples.size(),
                examples.getLast().conversation().getMessagesCount(),
                longest,
                total));
  }

  @Test
  void eachAgentReplyBuildsEveryMessageOnceWhateverTheNumberOfExamples() {
    // Work is linear in the transcript: the examples share one message object per dialogue turn
    // (only list entries repeat), where the old splitter copied the whole history for every reply.
    for (int n : new int[] {100, 400}) {
      List<TranscriptExample> examples =
          splitter.split(alternating(n), TranscriptPolicy.EACH_AGENT_REPLY, "sys");
      Set<ChatMessage> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
      long entries = 0;
      for (TranscriptExample example : examples) {
        distinct.addAll(example.conversation().getMessagesList());
        entries += example.conversation().getMessagesCount();
      }
      assertThat(examples).hasSize(n / 2);
      assertThat(entries).isEqualTo((long) (n / 2) * (n / 2 + 1) + n / 2); // prefixes + system
      assertThat(distinct).hasSize(n + 1);
    }
  }
}
