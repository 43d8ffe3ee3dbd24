package dev.tuneloop.platform.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tuneloop.platform.storage.ObjectInfo;
import dev.tuneloop.platform.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
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

  /**
   * The local default keeps its data under the relative {@code .tuneloop}: jclouds' filesystem
   * store answers every listing with nothing under a relative base directory, so the server must
   * resolve it.
   */
  @Test
  void listsObjectsUnderARelativeDataDirectory() throws Exception {
    Path relative = Path.of("target", "s3-relative-" + UUID.randomUUID());
    assertThat(relative.isAbsolute()).isFalse();
    try (EmbeddedS3 s3 = EmbeddedS3.start(relative, 0, "tuneloop")) {
      ObjectStore store = new ObjectStore(s3.settings());
      store.put("adapters/demo/foobear/v1/adapter_config.json", new byte[] {'{', '}'}, "text/json");
      store.put("adapters/demo/foobear/v1/adapter_model.safetensors", new byte[] {1}, "x/y");

      assertThat(store.list("adapters/demo/foobear/v1/"))
          .extracting(ObjectInfo::key)
          .containsExactlyInAnyOrder(
              "adapters/demo/foobear/v1/adapter_config.json",
              "adapters/demo/foobear/v1/adapter_model.safetensors");
      assertThat(store.list("")).hasSize(2);
      assertThat(s3.dataDir()).isAbsolute();
    } finally {
      Directories.deleteRecursively(relative);
    }
    assertThat(Files.exists(relative)).isFalse();
  }
}
