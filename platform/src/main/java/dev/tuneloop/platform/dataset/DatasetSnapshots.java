package dev.tuneloop.platform.dataset;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tuneloop.platform.storage.ObjectStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Dataset snapshots in the object store: immutable, content-addressed JSONL shards plus a manifest.
 *
 * <pre>
 * datasets/{tenant}/{dataset}/snapshots/{snapshotId}/part-00000.jsonl.gz   one JSON object (a SnapshotRecord) per line
 * datasets/{tenant}/{dataset}/snapshots/{snapshotId}/manifest.json          a SnapshotManifest
 * </pre>
 *
 * JSON field names are snake_case ({@code token_count}, {@code content_hash}, {@code snapshot_id},
 * ...). Write with {@link SnapshotWriter}; read with {@link #readManifest} and {@link
 * #forEachRecord}, which verify each part's checksum, the overall SHA-256 and the count.
 */
public final class DatasetSnapshots {

  public static final String FORMAT = "tuneloop.dataset.v1";

  static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private DatasetSnapshots() {}

  public static String snapshotsPrefix(String tenant, String dataset) {
    return "datasets/" + tenant + "/" + dataset + "/snapshots/";
  }

  public static String manifestKey(String tenant, String dataset, String snapshotId) {
    return snapshotsPrefix(tenant, dataset) + snapshotId + "/manifest.json";
  }

  public static SnapshotManifest readManifest(ObjectStore store, String manifestKey) {
    try {
      SnapshotManifest m = JSON.readValue(store.get(manifestKey), SnapshotManifest.class);
      if (!FORMAT.equals(m.format())) {
        throw new IllegalStateException(
            "snapshot manifest "
                + manifestKey
                + " has format '"
                + m.format()
                + "'; expected "
                + FORMAT);
      }
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "snapshot manifest " + manifestKey + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Streams every record in order; fails if a part, the overall SHA-256 or the count does not match
   * the manifest.
   */
  public static void forEachRecord(
      ObjectStore store, SnapshotManifest manifest, Consumer<SnapshotRecord> action) {
    MessageDigest all = sha256();
    long count = 0;
    for (SnapshotManifest.Part part : manifest.parts()) {
      try (InputStream raw = store.open(part.key());
          BufferedReader lines =
              new BufferedReader(
                  new InputStreamReader(
                      new DigestInputStream(new GZIPInputStream(raw), all),
                      StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          action.accept(JSON.readValue(line, SnapshotRecord.class));
          count++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read snapshot part " + part.key() + ": " + e.getMessage(), e);
      }
    }
    String sha = HexFormat.of().formatHex(all.digest());
    if (count != manifest.count() || !sha.equals(manifest.sha256())) {
      throw new IllegalStateException(
          "snapshot "
              + manifest.snapshotId()
              + " does not match its manifest: read "
              + count
              + " records with sha256 "
              + sha
              + ", manifest says "
              + manifest.count()
              + " and "
              + manifest.sha256());
    }
  }

  public static List<SnapshotRecord> readAll(ObjectStore store, String manifestKey) {
    List<SnapshotRecord> records = new ArrayList<>();
    forEachRecord(store, readManifest(store, manifestKey), records::add);
    return records;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
