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

  public static List<List<ChatMessage>> conversations(
      ObjectStore store, SnapshotManifest manifest) {
    var out = new ArrayList<List<ChatMessage>>();
    DatasetSnapshots.forEachRecord(store, manifest, record -> out.add(messages(record)));
    return out;
  }

  private static List<ChatMessage> messages(SnapshotRecord record) {
    var messages = new ArrayList<ChatMessage>(record.messages().size());
    for (SnapshotRecord.Message m : record.messages()) {
      messages.add(new ChatMessage(Role.valueOf(m.role().toUpperCase(Locale.ROOT)), m.content()));
    }
    return messages;
  }
}
