package dev.tuneloop.platform.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.storage.ObjectStore;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@WithInfra
class DatasetSnapshotsTest {

  private static SnapshotRecord record(int i) {
    return new SnapshotRecord(
        "ex-" + i,
        List.of(
            new SnapshotRecord.Message("user", "question " + i),
            new SnapshotRecord.Message("assistant", "answer " + i)),
        Map.of("n", Integer.toString(i)),
        10 + i,
        "hash-" + i);
  }

  private static SnapshotManifest write(ObjectStore store, int n) {
    try (SnapshotWriter w = new SnapshotWriter(store, "acme", "support", 4)) {
      for (int i = 0; i < n; i++) {
        w.add(record(i));
      }
      return w.finish(new SnapshotManifest.Source("examples.curated", Map.of(0, (long) n)), 1);
    }
  }

  @Test
  void writesShardsAndManifestThatReadBackInOrder(Infra infra) {
    ObjectStore store = infra.objectStore();
    SnapshotManifest m = write(store, 10);
    assertThat(m.count()).isEqualTo(10);
    assertThat(m.parts()).extracting(SnapshotManifest.Part::count).containsExactly(4L, 4L, 2L);
    assertThat(m.snapshotId()).isEqualTo(m.sha256().substring(0, 16));
    String key = DatasetSnapshots.manifestKey("acme", "support", m.snapshotId());
    assertThat(m.parts().getFirst().key())
        .isEqualTo("datasets/acme/support/snapshots/" + m.snapshotId() + "/part-00000.jsonl.gz");
    List<SnapshotRecord> back = DatasetSnapshots.readAll(store, key);
    assertThat(back)
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, 10)
                .mapToObj(DatasetSnapshotsTest::record)
                .toList());
    assertThat(new String(store.get(key)))
        .contains("\"snapshot_id\"", "\"end_offsets\"", "\"format\" : \"tuneloop.dataset.v1\"");
  }

  @Test
  void sameContentGivesTheSameImmutableSnapshot(Infra infra) {
    ObjectStore store = infra.objectStore();
    SnapshotManifest first = write(store, 5);
    SnapshotManifest again = write(store, 5);
    assertThat(again).isEqualTo(first);
    assertThat(write(store, 6).snapshotId()).isNotEqualTo(first.snapshotId());
  }

  @Test
  void readerRejectsAManifestThatDoesNotMatchItsParts(Infra infra) {
    ObjectStore store = infra.objectStore();
    SnapshotManifest m = write(store, 3);
    SnapshotManifest lying =
        new SnapshotManifest(
            m.format(),
            m.tenant(),
            m.dataset(),
            m.snapshotId(),
            m.createdAt(),
            4,
            m.sha256(),
            m.parts(),
            m.source(),
            m.curationVersion());
    assertThatThrownBy(() -> DatasetSnapshots.forEachRecord(store, lying, r -> {}))
        .hasMessageContaining("does not match its manifest");
  }

  @Test
  void sectionsGetPartsOfTheirOwnWithRolesAndTheCompositionIsRecorded(Infra infra) {
    ObjectStore store = infra.objectStore();
    var composition = new SnapshotManifest.Composition(5, 2, 0, 9, 14, "datasets/acme/x");
    SnapshotManifest m;
    try (SnapshotWriter w = new SnapshotWriter(store, "acme", "support", 4)) {
      w.section(SnapshotManifest.ROLE_NEW);
      for (int i = 0; i < 5; i++) {
        w.add(record(i));
      }
      w.section(SnapshotManifest.ROLE_REPLAY);
      w.add(record(5));
      w.add(record(6));
      w.section(SnapshotManifest.ROLE_EVAL); // empty: no part
      m = w.finish(new SnapshotManifest.Source("examples.curated", Map.of()), 1, composition);
    }
    assertThat(m.parts())
        .extracting(SnapshotManifest.Part::role, SnapshotManifest.Part::count)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("new", 4L),
            org.assertj.core.groups.Tuple.tuple("new", 1L),
            org.assertj.core.groups.Tuple.tuple("replay", 2L));
    String key = DatasetSnapshots.manifestKey("acme", "support", m.snapshotId());
    assertThat(DatasetSnapshots.readManifest(store, key)).isEqualTo(m);
    assertThat(new String(store.get(key)))
        .contains("\"composition\"", "\"new_records\" : 5", "\"role\" : \"replay\"");
    assertThat(DatasetSnapshots.readAll(store, key)).hasSize(7);
  }

  @Test
  void aManifestWithoutCompositionOrRolesStillReadsAndWritesNone(Infra infra) {
    ObjectStore store = infra.objectStore();
    SnapshotManifest m = write(store, 3);
    String key = DatasetSnapshots.manifestKey("acme", "support", m.snapshotId());
    String json = new String(store.get(key));
    assertThat(json).doesNotContain("composition", "role");
    // A manifest as written before these fields existed.
    store.put(key, json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/json");
    SnapshotManifest old = DatasetSnapshots.readManifest(store, key);
    assertThat(old.composition()).isNull();
    assertThat(old.parts()).allSatisfy(p -> assertThat(p.role()).isNull());
    assertThat(DatasetSnapshots.readAll(store, key)).hasSize(3);
  }
}
