package dev.tuneloop.trainer.engine;

import java.io.IOException;
import java.util.Optional;

/** Where one job's checkpoints go: the object store in the service, memory in a plain run. */
public interface CheckpointStore {

  /** Saves atomically: a reader sees either the previous checkpoint or this one, never a mix. */
  void save(Checkpoint checkpoint) throws IOException;

  /** The last saved checkpoint, if any. */
  Optional<Checkpoint> latest() throws IOException;

  /** A store that keeps the last checkpoint in memory (a single process; lost when it ends). */
  static CheckpointStore inMemory() {
    return new CheckpointStore() {
      private volatile Checkpoint last;

      @Override
      public void save(Checkpoint checkpoint) {
        last = checkpoint;
      }

      @Override
      public Optional<Checkpoint> latest() {
        return Optional.ofNullable(last);
      }
    };
  }
}
