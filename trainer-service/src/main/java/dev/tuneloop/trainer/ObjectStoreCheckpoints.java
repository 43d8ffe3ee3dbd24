package dev.tuneloop.trainer;

import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.trainer.engine.Checkpoint;
import dev.tuneloop.trainer.engine.CheckpointCodec;
import dev.tuneloop.trainer.engine.CheckpointStore;
import java.io.IOException;
import java.util.Optional;

/**
 * A job's checkpoints under {@code checkpoints/{job}/}: each one in its own {@code step-NNNNNNNN/}
 * folder (tensors, then state), and {@code latest} naming the folder, written last. A crash
 * mid-save leaves {@code latest} on the previous complete checkpoint.
 */
public final class ObjectStoreCheckpoints implements CheckpointStore {

  private final ObjectStore store;
  private final String prefix;

  public ObjectStoreCheckpoints(ObjectStore store, String jobId) {
    this.store = store;
    this.prefix = "checkpoints/" + jobId + "/";
  }

  @Override
  public void save(Checkpoint checkpoint) throws IOException {
    String folder = prefix + String.format("step-%08d/", checkpoint.state().step());
    store.put(folder + "tensors.bin", checkpoint.tensors(), "application/octet-stream");
    store.put(
        folder + "state.json", CheckpointCodec.stateJson(checkpoint.state()), "application/json");
    store.put(
        prefix + "latest", folder.getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain");
    for (var object : store.list(prefix + "step-")) { // older checkpoints are superseded
      if (!object.key().startsWith(folder)) {
        store.delete(object.key());
      }
    }
  }

  @Override
  public Optional<Checkpoint> latest() throws IOException {
    if (!store.exists(prefix + "latest")) {
      return Optional.empty();
    }
    String folder =
        new String(store.get(prefix + "latest"), java.nio.charset.StandardCharsets.UTF_8);
    return Optional.of(
        new Checkpoint(
            CheckpointCodec.stateFromJson(store.get(folder + "state.json")),
            store.get(folder + "tensors.bin")));
  }

  /** Removes the job's checkpoints once its adapter is published (or it was cancelled). */
  public void delete() {
    for (var object : store.list(prefix)) {
      store.delete(object.key());
    }
  }
}
