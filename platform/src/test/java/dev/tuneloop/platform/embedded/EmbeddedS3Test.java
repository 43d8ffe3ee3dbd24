package dev.tuneloop.platform.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.platform.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server of its own (not the shared one): objects are files on disk and outlive the server. */
class EmbeddedS3Test {

  @Test
  void objectsSurviveARestartOnTheSameDirectory(@TempDir Path dir) {
    byte[] manifest = "{\"count\": 3}".getBytes(StandardCharsets.UTF_8);
    try (EmbeddedS3 s3 = EmbeddedS3.start(dir, 0, "tuneloop")) {
      new ObjectStore(s3.settings())
          .put("datasets/acme/s/snapshots/1/manifest.json", manifest, "application/json");
    }
    try (EmbeddedS3 again = EmbeddedS3.start(dir, 0, "tuneloop")) {
      ObjectStore store = new ObjectStore(again.settings());
      assertThat(store.get("datasets/acme/s/snapshots/1/manifest.json")).isEqualTo(manifest);
      assertThat(store.stat("datasets/acme/s/snapshots/1/manifest.json").orElseThrow().sha256())
          .isPresent();
    }
  }
}
