package dev.tuneloop.curation.memory;

import dev.tuneloop.curation.text.Text;
import dev.tuneloop.proto.v1.ChatMessage;
import dev.tuneloop.proto.v1.CuratedExample;
import dev.tuneloop.proto.v1.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one dataset has accepted so far, for the rules that compare examples with each other:
 * content hashes (exact duplicates), MinHash signatures in an LSH index (near duplicates), answers
 * by normalised prompt (contradictions), and every example id already decided (retried
 * submissions). It is derived only from curated examples and rejected ids, so it can be rebuilt
 * from examples.curated and examples.rejected after a restart.
 */
public final class DatasetMemory {

  /** An earlier accepted answer to a prompt. */
  public record PriorAnswer(String exampleId, String answer) {}

  private final MinHash minHash;
  private final LshIndex nearIndex;
  private final Map<String, String> idByContentHash = new HashMap<>();
  private final Map<String, List<PriorAnswer>> answersByPrompt = new HashMap<>();
  private final Set<String> decidedIds = new HashSet<>();

  public DatasetMemory(MinHash minHash, double nearDuplicateThreshold) {
    this.minHash = minHash;
    this.nearIndex = new LshIndex(nearDuplicateThreshold);
  }

  public boolean decided(String exampleId) {
    return decidedIds.contains(exampleId);
  }

  public String exampleWithContent(String contentHash) {
    return idByContentHash.get(contentHash);
  }

  /** The near-duplicate signature of a chat (system prompts left out). */
  public long[] signature(List<ChatMessage> messages) {
    return minHash.signature(similarityText(messages));
  }

  public LshIndex.Hit nearest(long[] signature) {
    return nearIndex.nearest(signature);
  }

  public List<PriorAnswer> answersTo(List<ChatMessage> promptMessages) {
    return answersByPrompt.getOrDefault(promptKey(promptMessages), List.of());
  }

  public void rememberRejected(String exampleId) {
    decidedIds.add(exampleId);
  }

  public void rememberCurated(CuratedExample curated) {
    rememberCurated(curated, signature(curated.getMessagesList()));
  }

  /** Remembers an accepted example whose signature was already computed while judging it. */
  public void rememberCurated(CuratedExample curated, long[] signature) {
    String id = curated.getExample().getId();
    List<ChatMessage> messages = curated.getMessagesList();
    decidedIds.add(id);
    idByContentHash.putIfAbsent(curated.getContentHash(), id);
    nearIndex.add(id, signature);
    if (!messages.isEmpty()) {
      answersByPrompt
          .computeIfAbsent(
              promptKey(messages.subList(0, messages.size() - 1)), k -> new ArrayList<>(1))
          .add(new PriorAnswer(id, messages.getLast().getContent()));
    }
  }

  public int curatedCount() {
    return nearIndex.size();
  }

  /**
   * System prompts are shared by whole datasets, so near-duplicate detection looks at the dialogue
   * only, each message folded as a person would read it ({@link DuplicateText}).
   */
  static String similarityText(List<ChatMessage> messages) {
    return messages.stream()
        .filter(m -> m.getRole() != Role.ROLE_SYSTEM)
        .map(m -> DuplicateText.fold(m.getContent()))
        .collect(Collectors.joining("\n"));
  }

  /**
   * The prompt (system included: another instruction may rightly get another answer), case and
   * punctuation folded.
   */
  static String promptKey(List<ChatMessage> promptMessages) {
    return promptMessages.stream()
        .map(m -> m.getRole().getNumber() + ":" + Text.key(m.getContent()))
        .collect(Collectors.joining("\n"));
  }
}
