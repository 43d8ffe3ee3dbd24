package dev.tuneloop.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tuneloop.platform.config.S3Settings;
import dev.tuneloop.platform.testing.Infra;
import dev.tuneloop.platform.testing.WithInfra;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The object store against a real S3 server through the MinIO SDK. */
@WithInfra
class ObjectStoreTest {
  private static final int TWENTY_MB = 20 * 1024 * 1024;

  private static byte[] randomBytes(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  @Test
  void twentyMegabyteFileRoundTripsAsMultipartWithChecksumVerified(Infra infra, @TempDir Path dir)
      throws Exception {
    ObjectStore store = infra.objectStore();
    byte[] data = randomBytes(TWENTY_MB, 42);
    Path file = Files.write(dir.resolve("big.bin"), data);

    ObjectInfo put = store.putFile("models/big/model.bin", file, null);
    Path back = dir.resolve("back.bin");
    store.download("models/big/model.bin", back);

    assertThat(put.sha256()).contains(Sha256.hex(data));
    assertThat(put.etag()).as("multipart etags end in -<parts>").contains("-");
    assertThat(store.stat("models/big/model.bin"))
        .hasValueSatisfying(
            info -> {
              assertThat(info.size()).isEqualTo(TWENTY_MB);
              assertThat(info.sha256()).contains(Sha256.hex(data));
            });
    assertThat(Files.mismatch(file, back)).isEqualTo(-1L);
  }

  @Test
  void streamOfUnknownLengthIsUploadedWithItsChecksum(Infra infra) {
    ObjectStore store = infra.objectStore();
    byte[] data =
        randomBytes(ObjectStore.PART_SIZE == 0 ? 1 : (int) ObjectStore.PART_SIZE + 12345, 7);

    ObjectInfo info =
        store.putStream("datasets/acme/s/part-0.jsonl.gz", new ByteArrayInputStream(data), null);

    assertThat(info.size()).isEqualTo(data.length);
    assertThat(info.sha256()).contains(Sha256.hex(data));
    assertThat(store.get("datasets/acme/s/part-0.jsonl.gz")).isEqualTo(data);
  }

  @Test
  void putGetListDelete(Infra infra) {
    ObjectStore store = infra.objectStore();
    store.put(
        "adapters/acme/a/1/adapter_config.json",
        "{}".getBytes(StandardCharsets.UTF_8),
        "application/json");
    store.put("adapters/acme/a/1/adapter_model.safetensors", new byte[] {1, 2, 3}, null);
    store.put("adapters/acme/b/1/adapter_config.json", "{}".getBytes(StandardCharsets.UTF_8), null);

    assertThat(store.list("adapters/acme/a/"))
        .extracting(ObjectInfo::key)
        .containsExactly(
            "adapters/acme/a/1/adapter_config.json", "adapters/acme/a/1/adapter_model.safetensors");
    assertThat(store.get("adapters/acme/a/1/adapter_model.safetensors")).containsExactly(1, 2, 3);

    store.delete("adapters/acme/a/1/adapter_config.json");
    assertThat(store.exists("adapters/acme/a/1/adapter_config.json")).isFalse();
    assertThat(store.stat("never/written")).isEmpty();
  }

  @Test
  void missingKeyIsReportedByName(Infra infra) {
    assertThatThrownBy(() -> infra.objectStore().get("no/such/key"))
        .isInstanceOf(ObjectNotFoundException.class)
        .hasMessageContaining("no/such/key")
        .hasMessageContaining(infra.s3().bucket());
  }

  @Test
  void contentThatDoesNotMatchItsRecordedChecksumIsRefused(Infra infra) throws Exception {
    S3Settings s3 = infra.s3();
    // Another writer stores bytes under a checksum that is not theirs: the read must fail, not
    // return them.
    MinioClient raw =
        MinioClient.builder()
            .endpoint(s3.endpoint())
            .credentials(s3.accessKey(), s3.secretKey())
            .region(s3.region())
            .build();
    byte[] data = "tampered".getBytes(StandardCharsets.UTF_8);
    raw.putObject(
        PutObjectArgs.builder().bucket(s3.bucket()).object("x").stream(
                new ByteArrayInputStream(data), data.length, -1)
            .userMetadata(Map.of(ObjectStore.SHA256_METADATA, Sha256.hex(new byte[0])))
            .build());

    assertThatThrownBy(() -> infra.objectStore().get("x"))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining("s3://" + s3.bucket() + "/x");
    try (InputStream in = infra.objectStore().open("x")) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(ChecksumMismatchException.class);
    }
  }

  @Test
  void unreachableEndpointFailsFastNamingIt() {
    var dead = new S3Settings("http://127.0.0.1:1", "k", "s", "tuneloop", null);
    long start = System.nanoTime();
    assertThatThrownBy(() -> new ObjectStore(dead).ensureBucket())
        .isInstanceOf(ObjectStoreException.class)
        .hasMessageContaining("http://127.0.0.1:1");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
  }
}
