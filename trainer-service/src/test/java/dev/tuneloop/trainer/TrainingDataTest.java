package dev.tuneloop.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.llm.chat.ChatMessage;
import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import dev.tuneloop.trainer.testing.SampleData;
import dev.tuneloop.trainer.testing.TrainerHarness;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A snapshot read back from the object store keeps each example's id beside its conversation. */
@WithInfra
class TrainingDataTest {

  @Test
  void examplesCarryTheirSnapshotIdsInSnapshotOrder(Infra infra) {
    ObjectStore store = infra.objectStore();
    List<SampleData.Pair> pairs = SampleData.foobear().subList(0, 3);
    String key = TrainerHarness.writeSnapshot(store, "acme", "ids", pairs);

    List<TrainingData.Example> examples =
        TrainingData.examples(store, TrainingData.manifest(store, key, "dataset_snapshot"));

    assertThat(TrainingData.ids(examples)).containsExactly("ex-0", "ex-1", "ex-2");
    assertThat(examples.get(1).messages())
        .containsExactly(
            ChatMessage.user(pairs.get(1).prompt()),
            ChatMessage.assistant(pairs.get(1).response()));
    assertThat(TrainingData.conversations(examples))
        .isEqualTo(
            TrainingData.conversations(
                store, TrainingData.manifest(store, key, "dataset_snapshot")));
  }
}
