package dev.tuneloop.trainer;

import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.llm.chat.Role;
import dev.tuneloop.platform.dataset.DatasetSnapshots;
import dev.tuneloop.platform.dataset.SnapshotManifest;
import dev.tuneloop.platform.dataset.SnapshotRecord;
import dev.tuneloop.platform.storage.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a dataset snapshot's conversations from the object store (checksums verified by the
 * platform reader).
 */
public final class TrainingData {

  private TrainingData() {}

  /** The snapshot's manifest; a missing one is reported as a bad {@code field}. */
  public static SnapshotManifest manifest(ObjectStore store, String manifestKey, String field) {
    if (!store.exists(manifestKey)) {
      throw new IllegalArgumentException(
          field
              + ": no dataset snapshot manifest at "
              + manifestKey
              + " in bucket "
              + store.bucket());
    }
    return DatasetSnapshots.readManifest(store, manifestKey);
  }

  /**
   * One snapshot record as the trainer uses it: its conversation, and the example id that decides
   * its side of the frozen eval split ({@code EvalSplit}).
   */
  public record Example(String id, List<ChatMessage> messages) {
    public Example {
      messages = List.copyOf(messages);
    }
  }

  /** The snapshot's examples in snapshot order, each with its id. */
  public static List<Example> examples(ObjectStore store, SnapshotManifest manifest) {
    var out = new ArrayList<Example>();
    DatasetSnapshots.forEachRecord(
        store, manifest, record -> out.add(new Example(record.id(), messages(record))));
    return out;
  }

  /**
   * The snapshot's conversations without their ids (for an explicit eval set, which is not split).
   */
  public static List<List<ChatMessage>> conversations(
      ObjectStore store, SnapshotManifest manifest) {
    return examples(store, manifest).stream().map(Example::messages).toList();
  }

  public static List<String> ids(List<Example> examples) {
    return examples.stream().map(Example::id).toList();
  }

  public static List<List<ChatMessage>> conversations(List<Example> examples) {
    return examples.stream().map(Example::messages).toList();
  }

  private static List<ChatMessage> messages(SnapshotRecord record) {
    var messages = new ArrayList<ChatMessage>(record.messages().size());
    for (SnapshotRecord.Message m : record.messages()) {
      messages.add(new ChatMessage(Role.valueOf(m.role().toUpperCase(Locale.ROOT)), m.content()));
    }
    return messages;
  }
}
