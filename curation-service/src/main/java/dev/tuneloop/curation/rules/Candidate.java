package dev.tuneloop.curation.rules;

import dev.tuneloop.curation.policy.CurationPolicy;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.Example;
import dev.tuneloop.proto.v1.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * An example under judgement: its normalised messages (rules such as PII redaction may rewrite
 * them), the notes on what was changed, and the rejections found so far.
 */
public final class Candidate {

  private final Example example;
  private final CurationPolicy policy;
  private final List<ChatMessage> messages;
  private final List<String> notes = new ArrayList<>();
  private final List<Rejection> rejections = new ArrayList<>();
  private int tokenCount;
  private long[] signature;

  public Candidate(Example example, CurationPolicy policy, List<ChatMessage> messages) {
    this.example = example;
    this.policy = policy;
    this.messages = new ArrayList<>(messages);
  }

  public Example example() {
    return example;
  }

  public CurationPolicy policy() {
    return policy;
  }

  public List<ChatMessage> messages() {
    return List.copyOf(messages);
  }

  public void replaceContent(int index, String content) {
    messages.set(index, messages.get(index).toBuilder().setContent(content).build());
  }

  /** The final assistant reply, or "" when the chat has none. */
  public String finalReply() {
    return !messages.isEmpty() && messages.getLast().getRole() == Role.ROLE_ASSISTANT
        ? messages.getLast().getContent()
        : "";
  }

  /** Everything before the final reply: what the model is asked. */
  public List<ChatMessage> promptMessages() {
    return messages.isEmpty() ? List.of() : List.copyOf(messages.subList(0, messages.size() - 1));
  }

  public void reject(Rejection rejection) {
    rejections.add(rejection);
  }

  public void note(String note) {
    notes.add(note);
  }

  public List<Rejection> rejections() {
    return List.copyOf(rejections);
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }

  public void tokenCount(int count) {
    tokenCount = count;
  }

  public int tokenCount() {
    return tokenCount;
  }

  /** The near-duplicate signature, once the memory rule computed it. */
  public void signature(long[] signature) {
    this.signature = signature;
  }

  public long[] signature() {
    return signature;
  }

  public boolean rejected() {
    return !rejections.isEmpty();
  }
}
