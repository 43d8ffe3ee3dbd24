package dev.tuneloop.platform.dataset;

import dev.tuneloop.platform.storage.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Cuts one snapshot: records are appended in order into gzip shards on local disk (bounded memory),
 * then uploaded under the content-addressed id. A snapshot whose manifest already exists is not
 * written again (immutable), and its existing manifest is returned.
 */
public final class SnapshotWriter implements AutoCloseable {

  private final ObjectStore store;
  private final String tenant;
  private final String dataset;
  private final int recordsPerPart;
  private final Path dir;
  private final MessageDigest all = DatasetSnapshots.sha256();
  private final List<Path> partFiles = new ArrayList<>();
  private final List<Long> partCounts = new ArrayList<>();
  private final List<String> partRoles = new ArrayList<>();
  private String role;
  private OutputStream part;
  private long inPart;
  private long count;

  public SnapshotWriter(ObjectStore store, String tenant, String dataset, int recordsPerPart) {
    this.store = store;
    this.tenant = tenant;
    this.dataset = dataset;
    this.recordsPerPart = recordsPerPart;
    try {
      this.dir = Files.createTempDirectory("snapshot-" + dataset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void add(SnapshotRecord record) {
    try {
      if (part == null || inPart == recordsPerPart) {
        rollPart();
      }
      byte[] line =
          (DatasetSnapshots.JSON.writeValueAsString(record) + "\n")
              .getBytes(StandardCharsets.UTF_8);
      all.update(line);
      part.write(line);
      inPart++;
      count++;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write snapshot shard for " + tenant + "/" + dataset, e);
    }
  }

  /**
   * Starts a section: the records added from now on go into parts of their own marked with {@code
   * role} (see {@link SnapshotManifest.Part#role()}). A section with no records has no part.
   */
  public void section(String role) {
    try {
      closePart();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write snapshot shard for " + tenant + "/" + dataset, e);
    }
    this.role = role;
  }

  public long count() {
    return count;
  }

  /**
   * Uploads the parts and the manifest (unless this content exists already) and returns the
   * manifest.
   */
  public SnapshotManifest finish(SnapshotManifest.Source source, int curationVersion) {
    return finish(source, curationVersion, null);
  }

  /**
   * As {@link #finish(SnapshotManifest.Source, int)}, recording what the snapshot is made of (null:
   * nothing recorded).
   */
  public SnapshotManifest finish(
      SnapshotManifest.Source source,
      int curationVersion,
      SnapshotManifest.Composition composition) {
    try {
      closePart();
      String sha = HexFormat.of().formatHex(all.digest());
      String id = sha.substring(0, 16);
      String manifestKey = DatasetSnapshots.manifestKey(tenant, dataset, id);
      if (store.exists(manifestKey)) {
        return DatasetSnapshots.readManifest(store, manifestKey);
      }
      List<SnapshotManifest.Part> parts = new ArrayList<>();
      for (int i = 0; i < partFiles.size(); i++) {
        String key =
            DatasetSnapshots.snapshotsPrefix(tenant, dataset)
                + id
                + String.format("/part-%05d.jsonl.gz", i);
        var info = store.putFile(key, partFiles.get(i), "application/gzip");
        parts.add(
            new SnapshotManifest.Part(
                key, partCounts.get(i), info.size(), info.sha256().orElse(""), partRoles.get(i)));
      }
      SnapshotManifest manifest =
          new SnapshotManifest(
              DatasetSnapshots.FORMAT,
              tenant,
              dataset,
              id,
              Instant.now().toString(),
              count,
              sha,
              parts,
              source,
              curationVersion,
              composition);
      // The manifest goes last: a snapshot is visible only once all its parts are in place.
      store.put(
          manifestKey,
          DatasetSnapshots.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest),
          "application/json");
      return manifest;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot finish snapshot of " + tenant + "/" + dataset, e);
    }
  }

  private void rollPart() throws IOException {
    closePart();
    Path file = dir.resolve(String.format("part-%05d.jsonl.gz", partFiles.size()));
    partFiles.add(file);
    partCounts.add(0L);
    partRoles.add(role);
    part = new GZIPOutputStream(Files.newOutputStream(file), 64 * 1024);
    inPart = 0;
  }

  private void closePart() throws IOException {
    if (part != null) {
      part.close();
      part = null;
      partCounts.set(partCounts.size() - 1, inPart);
    }
  }

  @Override
  public void close() {
    try {
      closePart();
      for (Path p : partFiles) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
