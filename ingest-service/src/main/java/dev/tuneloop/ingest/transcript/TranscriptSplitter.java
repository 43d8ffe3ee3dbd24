package dev.tuneloop.ingest.transcript;

import dev.tuneloop.ingest.InvalidRecordException;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Conversation;
import dev.tuneloop.proto.v1.Role;
import dev.tuneloop.proto.v1.Speaker;
import dev.tuneloop.proto.v1.Transcript;
import dev.tuneloop.proto.v1.TranscriptPolicy;
import dev.tuneloop.proto.v1.TranscriptTurn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a support transcript into chat examples. Customer turns become user messages, agent turns
 * assistant messages; consecutive turns of one speaker merge (customers often send several short
 * messages); system-speaker turns (transfers, notes) are events, not dialogue, and are dropped;
 * agent greetings before the customer speaks and customer turns after the last agent reply have
 * nothing to learn from and are dropped.
 */
public final class TranscriptSplitter {

  /**
   * One produced example: the chat and its labels (transcript metadata plus the supervised reply's
   * turn metadata).
   */
  public record TranscriptExample(Conversation conversation, Map<String, String> metadata) {}

  private record Turn(Role role, StringBuilder text, Map<String, String> metadata) {}

  public List<TranscriptExample> split(
      Transcript transcript, TranscriptPolicy policy, String system) {
    List<Turn> turns = dialogue(transcript);
    if (turns.isEmpty()) {
      throw new InvalidRecordException(
          "transcript "
              + label(transcript)
              + " has no customer turn answered by an agent turn; nothing to learn from");
    }
    return switch (policy) {
      case EACH_AGENT_REPLY -> eachAgentReply(transcript, turns, system);
      case WHOLE_CONVERSATION, TRANSCRIPT_POLICY_UNSPECIFIED ->
          List.of(example(transcript, turns, turns.size(), system));
      case UNRECOGNIZED ->
          throw new InvalidRecordException("transcript policy is not one this server knows");
    };
  }

  private static List<TranscriptExample> eachAgentReply(
      Transcript transcript, List<Turn> turns, String system) {
    List<TranscriptExample> examples = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      if (turns.get(i).role() == Role.ROLE_ASSISTANT) {
        examples.add(example(transcript, turns, i + 1, system));
      }
    }
    return examples;
  }

  private static TranscriptExample example(
      Transcript transcript, List<Turn> turns, int end, String system) {
    Conversation.Builder chat = Conversation.newBuilder();
    if (system != null && !system.isBlank()) {
      chat.addMessages(ChatMessage.newBuilder().setRole(Role.ROLE_SYSTEM).setContent(system));
    }
    for (Turn turn : turns.subList(0, end)) {
      chat.addMessages(
          ChatMessage.newBuilder().setRole(turn.role()).setContent(turn.text().toString()));
    }
    Map<String, String> metadata = new HashMap<>(transcript.getMetadataMap());
    metadata.putAll(turns.get(end - 1).metadata());
    if (!transcript.getId().isBlank()) {
      metadata.put("transcript_id", transcript.getId());
    }
    metadata.put("transcript_reply", Integer.toString(countAssistant(turns, end)));
    return new TranscriptExample(chat.build(), metadata);
  }

  private static int countAssistant(List<Turn> turns, int end) {
    return (int)
        turns.subList(0, end).stream().filter(t -> t.role() == Role.ROLE_ASSISTANT).count();
  }

  /**
   * Alternating user/assistant turns, starting with the customer and ending with an agent reply.
   */
  private static List<Turn> dialogue(Transcript transcript) {
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < transcript.getTurnsCount(); i++) {
      TranscriptTurn t = transcript.getTurns(i);
      Role role = role(t.getSpeaker(), transcript, i);
      if (role == null || (turns.isEmpty() && role == Role.ROLE_ASSISTANT)) {
        continue;
      }
      Turn last = turns.isEmpty() ? null : turns.getLast();
      if (last != null && last.role() == role) {
        last.text().append('\n').append(t.getText());
        last.metadata().putAll(t.getMetadataMap());
      } else {
        turns.add(
            new Turn(role, new StringBuilder(t.getText()), new HashMap<>(t.getMetadataMap())));
      }
    }
    while (!turns.isEmpty() && turns.getLast().role() != Role.ROLE_ASSISTANT) {
      turns.removeLast();
    }
    return turns;
  }

  private static Role role(Speaker speaker, Transcript transcript, int index) {
    return switch (speaker) {
      case SPEAKER_CUSTOMER -> Role.ROLE_USER;
      case SPEAKER_AGENT -> Role.ROLE_ASSISTANT;
      case SPEAKER_SYSTEM -> null;
      case SPEAKER_UNSPECIFIED, UNRECOGNIZED ->
          throw new InvalidRecordException(
              "transcript "
                  + label(transcript)
                  + " turn "
                  + index
                  + " has no speaker; expected SPEAKER_CUSTOMER, SPEAKER_AGENT or SPEAKER_SYSTEM");
    };
  }

  private static String label(Transcript transcript) {
    return transcript.getId().isBlank() ? "(no id)" : "'" + transcript.getId() + "'";
  }
}
