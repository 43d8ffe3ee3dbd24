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
 *
 * <p>{@code EACH_AGENT_REPLY} repeats the history before every reply, so its output grows with the
 * square of the transcript's length. {@link #plan} therefore reads the transcript once and measures
 * the output ({@link Expansion}) without building it; the caller checks the figures against its
 * limits and only then calls {@link Plan#examples()}.
 */
public final class TranscriptSplitter {

  /**
   * One produced example: the chat and its labels (transcript metadata plus the supervised reply's
   * turn metadata).
   */
  public record TranscriptExample(Conversation conversation, Map<String, String> metadata) {}

  /**
   * What a plan would produce, computed from the dialogue alone.
   *
   * @param examples how many examples
   * @param longestMessages messages in the largest example (system prompt included)
   * @param longestBytes UTF-8 bytes of message content in the largest example
   * @param totalBytes UTF-8 bytes of message content over all examples
   */
  public record Expansion(int examples, int longestMessages, long longestBytes, long totalBytes) {}

  /**
   * A transcript read into dialogue messages, each built once; examples share them, so
   * materialising costs one list entry per message of the output and no copy of any text.
   */
  public static final class Plan {
    private final Transcript transcript;
    private final ChatMessage system; // null: none
    private final List<ChatMessage> messages;
    private final List<Map<String, String>> turnMetadata;
    private final List<Integer> ends; // exclusive end of each example's dialogue prefix
    private final long[] prefixBytes; // prefixBytes[i]: content bytes of messages[0..i)

    private Plan(
        Transcript transcript,
        ChatMessage system,
        List<ChatMessage> messages,
        List<Map<String, String>> turnMetadata,
        List<Integer> ends) {
      this.transcript = transcript;
      this.system = system;
      this.messages = messages;
      this.turnMetadata = turnMetadata;
      this.ends = ends;
      this.prefixBytes = new long[messages.size() + 1];
      for (int i = 0; i < messages.size(); i++) {
        prefixBytes[i + 1] = prefixBytes[i] + messages.get(i).getContentBytes().size();
      }
    }

    /** The size of the output, in time linear in the transcript. */
    public Expansion expansion() {
      long systemBytes = system == null ? 0 : system.getContentBytes().size();
      int systemMessages = system == null ? 0 : 1;
      long total = 0;
      int longest = 0;
      long longestBytes = 0;
      for (int end : ends) {
        long bytes = systemBytes + prefixBytes[end];
        total += bytes;
        longest = Math.max(longest, systemMessages + end);
        longestBytes = Math.max(longestBytes, bytes);
      }
      return new Expansion(ends.size(), longest, longestBytes, total);
    }

    /** The examples; check {@link #expansion()} against limits first. */
    public List<TranscriptExample> examples() {
      List<TranscriptExample> examples = new ArrayList<>(ends.size());
      int reply = 0; // assistant messages so far, counted once over the whole dialogue
      int previous = 0;
      for (int end : ends) {
        reply += countAssistant(previous, end);
        previous = end;
        examples.add(example(end, reply));
      }
      return examples;
    }

    /** Assistant messages in {@code messages[from..end)}. */
    private int countAssistant(int from, int end) {
      int n = 0;
      for (int i = from; i < end; i++) {
        n += messages.get(i).getRole() == Role.ROLE_ASSISTANT ? 1 : 0;
      }
      return n;
    }

    private TranscriptExample example(int end, int reply) {
      Conversation.Builder chat = Conversation.newBuilder();
      if (system != null) {
        chat.addMessages(system);
      }
      chat.addAllMessages(messages.subList(0, end));
      Map<String, String> metadata = new HashMap<>(transcript.getMetadataMap());
      metadata.putAll(turnMetadata.get(end - 1));
      if (!transcript.getId().isBlank()) {
        metadata.put("transcript_id", transcript.getId());
      }
      metadata.put("transcript_reply", Integer.toString(reply));
      return new TranscriptExample(chat.build(), metadata);
    }
  }

  /** Reads the transcript (once, linear time) into a plan of the examples it gives. */
  public Plan plan(Transcript transcript, TranscriptPolicy policy, String system) {
    List<Turn> turns = dialogue(transcript);
    if (turns.isEmpty()) {
      throw new InvalidRecordException(
          "transcript "
              + label(transcript)
              + " has no customer turn answered by an agent turn; nothing to learn from");
    }
    List<Integer> ends =
        switch (policy) {
          case EACH_AGENT_REPLY -> agentReplyEnds(turns);
          case WHOLE_CONVERSATION, TRANSCRIPT_POLICY_UNSPECIFIED -> List.of(turns.size());
          case UNRECOGNIZED ->
              throw new InvalidRecordException("transcript policy is not one this server knows");
        };
    List<ChatMessage> messages = new ArrayList<>(turns.size());
    List<Map<String, String>> metadata = new ArrayList<>(turns.size());
    for (Turn turn : turns) {
      messages.add(
          ChatMessage.newBuilder().setRole(turn.role()).setContent(turn.text().toString()).build());
      metadata.add(turn.metadata());
    }
    ChatMessage systemMessage =
        system == null || system.isBlank()
            ? null
            : ChatMessage.newBuilder().setRole(Role.ROLE_SYSTEM).setContent(system).build();
    return new Plan(transcript, systemMessage, messages, metadata, ends);
  }

  /** All examples at once, without limits: for callers that trust the input's size. */
  public List<TranscriptExample> split(
      Transcript transcript, TranscriptPolicy policy, String system) {
    return plan(transcript, policy, system).examples();
  }

  private record Turn(Role role, StringBuilder text, Map<String, String> metadata) {}

  private static List<Integer> agentReplyEnds(List<Turn> turns) {
    List<Integer> ends = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      if (turns.get(i).role() == Role.ROLE_ASSISTANT) {
        ends.add(i + 1);
      }
    }
    return ends;
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

  public static String label(Transcript transcript) {
    return transcript.getId().isBlank() ? "(no id)" : "'" + transcript.getId() + "'";
  }
}
