package dev.tuneloop.platform.storage;

import dev.tuneloop.platform.config.S3Settings;
import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.Directive;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.ObjectWriteResponse;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * tuneloop's object store: one bucket on an S3-compatible server, reached through the MinIO Java
 * SDK.
 *
 * <p>Every upload records the content's SHA-256 as user metadata ({@value #SHA256_METADATA}); every
 * download through this class verifies it and throws {@link ChecksumMismatchException} on a
 * difference. Objects written by other tools carry no checksum and are returned unverified. Uploads
 * larger than {@link #PART_SIZE} go as multipart. Failures surface as {@link ObjectStoreException}
 * (or {@link ObjectNotFoundException}) naming endpoint, bucket and key.
 */
public final class ObjectStore {

  /** User-metadata name of the content checksum (header {@code x-amz-meta-sha256}). */
  public static final String SHA256_METADATA = "sha256";

  /** Multipart part size for large and unknown-length uploads. */
  public static final long PART_SIZE = 8L * 1024 * 1024;

  private static final String SHA256_HEADER = "x-amz-meta-" + SHA256_METADATA;
  private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
  private static final Set<String> NOT_FOUND_CODES =
      Set.of("NoSuchKey", "NoSuchBucket", "NoSuchObject");

  private final S3Settings settings;
  private final MinioClient client;

  public ObjectStore(S3Settings settings) {
    this.settings = settings;
    this.client =
        MinioClient.builder()
            .endpoint(settings.endpoint())
            .credentials(settings.accessKey(), settings.secretKey())
            .region(settings.region())
            .build();
    // Fail in seconds when the endpoint is down, instead of the SDK's minutes.
    client.setTimeout(
        TimeUnit.SECONDS.toMillis(5), TimeUnit.MINUTES.toMillis(2), TimeUnit.MINUTES.toMillis(2));
  }

  public S3Settings settings() {
    return settings;
  }

  public String bucket() {
    return settings.bucket();
  }

  /** {@code s3://bucket/key}, the form used in events and manifests. */
  public String uri(String key) {
    return "s3://" + settings.bucket() + "/" + key;
  }

  /**
   * Creates the bucket when it does not exist. Also proves the endpoint is reachable with these
   * credentials.
   */
  public void ensureBucket() {
    call(
        "create bucket",
        "",
        () -> {
          if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket()).build())) {
            client.makeBucket(
                MakeBucketArgs.builder().bucket(bucket()).region(settings.region()).build());
          }
          return null;
        });
  }

  /**
   * Whether the bucket exists; throws {@link ObjectStoreException} when the server cannot be
   * reached.
   */
  public boolean bucketExists() {
    return call(
        "check bucket",
        "",
        () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket()).build()));
  }

  public ObjectInfo put(String key, byte[] content, String contentType) {
    String sha256 = Sha256.hex(content);
    return upload(key, new ByteArrayInputStream(content), content.length, contentType, sha256);
  }

  /**
   * Uploads a file (multipart when larger than {@link #PART_SIZE}); hashes it first so the checksum
   * goes along.
   */
  public ObjectInfo putFile(String key, Path file, String contentType) {
    try {
      MessageDigest digest = Sha256.newDigest();
      try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      String sha256 = Sha256.hex(digest);
      try (InputStream in = Files.newInputStream(file)) {
        return upload(key, in, Files.size(file), contentType, sha256);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + " for upload to " + location(key), e);
    }
  }

  /**
   * Uploads a stream of unknown length as multipart, hashing on the way; the checksum is then
   * attached by a server-side copy onto the same key (so a concurrent reader may briefly see the
   * object without it).
   */
  public ObjectInfo putStream(String key, InputStream content, String contentType) {
    MessageDigest digest = Sha256.newDigest();
    call(
        "upload",
        key,
        () ->
            client.putObject(
                PutObjectArgs.builder().bucket(bucket()).object(key).stream(
                        new DigestInputStream(content, digest), -1, PART_SIZE)
                    .contentType(orDefault(contentType))
                    .build()));
    String sha256 = Sha256.hex(digest);
    call(
        "record checksum of",
        key,
        () ->
            client.copyObject(
                CopyObjectArgs.builder()
                    .bucket(bucket())
                    .object(key)
                    .source(CopySource.builder().bucket(bucket()).object(key).build())
                    .metadataDirective(Directive.REPLACE)
                    .headers(Map.of("Content-Type", orDefault(contentType)))
                    .userMetadata(Map.of(SHA256_METADATA, sha256))
                    .build()));
    return stat(key)
        .orElseThrow(
            () -> new ObjectStoreException("Object vanished right after upload: " + location(key)));
  }

  /** The whole object, checksum verified. */
  public byte[] get(String key) {
    try (InputStream in = open(key)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ObjectStoreException("Failed to read " + location(key) + ": " + e.getMessage(), e);
    }
  }

  /**
   * Downloads to {@code target} (via a temporary file beside it, moved into place only once
   * verified).
   */
  public void download(String key, Path target) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, target.getFileName().toString(), ".part");
      try (InputStream in = open(key)) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ObjectStoreException(
          "Failed to download " + location(key) + " to " + target + ": " + e, e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /**
   * A stream of the object's content. Reading it to the end verifies the checksum ({@link
   * ChecksumMismatchException} from the final read); the caller closes it.
   */
  public InputStream open(String key) {
    GetObjectResponse response =
        call(
            "download",
            key,
            () -> client.getObject(GetObjectArgs.builder().bucket(bucket()).object(key).build()));
    String expected = response.headers().get(SHA256_HEADER);
    return expected == null
        ? response
        : new VerifyingInputStream(response, expected, location(key));
  }

  /** Size, checksum and timestamps, or empty when the key does not exist. */
  public Optional<ObjectInfo> stat(String key) {
    try {
      StatObjectResponse r =
          call(
              "stat",
              key,
              () ->
                  client.statObject(StatObjectArgs.builder().bucket(bucket()).object(key).build()));
      return Optional.of(
          new ObjectInfo(
              key,
              r.size(),
              Optional.ofNullable(r.userMetadata().get(SHA256_METADATA)),
              r.etag(),
              r.lastModified().toInstant()));
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    }
  }

  public boolean exists(String key) {
    return stat(key).isPresent();
  }

  /** Every object whose key starts with {@code prefix}, recursively, in key order. */
  public List<ObjectInfo> list(String prefix) {
    return call(
        "list",
        prefix + "*",
        () -> {
          List<ObjectInfo> out = new ArrayList<>();
          for (Result<Item> result :
              client.listObjects(
                  ListObjectsArgs.builder()
                      .bucket(bucket())
                      .prefix(prefix)
                      .recursive(true)
                      .build())) {
            Item item = result.get();
            if (item.isDir()) continue;
            Instant modified =
                item.lastModified() == null ? Instant.EPOCH : item.lastModified().toInstant();
            out.add(
                new ObjectInfo(
                    item.objectName(), item.size(), Optional.empty(), item.etag(), modified));
          }
          return out;
        });
  }

  /** Deletes the key; deleting a missing key is not an error (S3 semantics). */
  public void delete(String key) {
    call(
        "delete",
        key,
        () -> {
          client.removeObject(RemoveObjectArgs.builder().bucket(bucket()).object(key).build());
          return null;
        });
  }

  private ObjectInfo upload(
      String key, InputStream in, long size, String contentType, String sha256) {
    ObjectWriteResponse response =
        call(
            "upload",
            key,
            () ->
                client.putObject(
                    PutObjectArgs.builder().bucket(bucket()).object(key).stream(
                            in, size, size > PART_SIZE ? PART_SIZE : -1)
                        .contentType(orDefault(contentType))
                        .userMetadata(Map.of(SHA256_METADATA, sha256))
                        .build()));
    return new ObjectInfo(key, size, Optional.of(sha256), response.etag(), Instant.now());
  }

  private String location(String key) {
    return uri(key) + " at " + settings.endpoint();
  }

  private <T> T call(String operation, String key, SdkCall<T> action) {
    try {
      return action.run();
    } catch (ErrorResponseException e) {
      String code = e.errorResponse().code();
      String message =
          "Cannot "
              + operation
              + " "
              + location(key)
              + ": "
              + code
              + " "
              + e.errorResponse().message();
      if (NOT_FOUND_CODES.contains(code)) throw new ObjectNotFoundException(message, e);
      throw new ObjectStoreException(message, e);
    } catch (IOException e) {
      throw new ObjectStoreException(
          "Cannot "
              + operation
              + " "
              + location(key)
              + ": S3 endpoint "
              + settings.endpoint()
              + " unreachable or failing ("
              + e
              + ")",
          e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new ObjectStoreException("Cannot " + operation + " " + location(key) + ": " + e, e);
    }
  }

  private static String orDefault(String contentType) {
    return contentType == null || contentType.isBlank() ? DEFAULT_CONTENT_TYPE : contentType;
  }

  private static void deleteQuietly(Path path) {
    if (path == null) return;
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a leftover .part file is harmless
    }
  }

  @FunctionalInterface
  private interface SdkCall<T> {
    T run() throws Exception;
  }
}
