package dev.tuneloop.platform.embedded;

import dev.tuneloop.platform.config.S3Settings;
import dev.tuneloop.platform.storage.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3 server (S3Proxy) storing objects as files under a local directory, with AWS signature
 * v2/v4 authentication, on a free localhost port. {@link #settings()} gives what a client needs;
 * the bucket exists.
 */
public final class EmbeddedS3 implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedS3.class);
  public static final String ACCESS_KEY = "tuneloop";
  public static final String SECRET_KEY = "tuneloop-secret";
  public static final String DEFAULT_BUCKET = "tuneloop";

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final S3Settings settings;

  private EmbeddedS3(Path dataDir, boolean ownsDataDir, int port, String bucket) throws Exception {
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    Properties props = new Properties();
    props.setProperty("jclouds.filesystem.basedir", dataDir.toString());
    this.context =
        ContextBuilder.newBuilder("filesystem-nio2")
            .credentials("local", "local")
            .overrides(props)
            .build(BlobStoreContext.class);
    int chosen = port == 0 ? FreePorts.next() : port;
    this.proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:" + chosen))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    this.settings =
        new S3Settings(
            "http://127.0.0.1:" + chosen,
            ACCESS_KEY,
            SECRET_KEY,
            bucket,
            S3Settings.DEFAULT_REGION);
  }

  /**
   * Starts on a free port with a temporary data directory (deleted on close) and the bucket {@value
   * #DEFAULT_BUCKET}.
   */
  public static EmbeddedS3 start() {
    try {
      return start(Files.createTempDirectory("tuneloop-s3-"), true, 0, DEFAULT_BUCKET);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create an S3 data directory", e);
    }
  }

  /** Starts on {@code port} (0: any free port) over {@code dataDir}, which is kept on close. */
  public static EmbeddedS3 start(Path dataDir, int port, String bucket) {
    return start(dataDir, false, port, bucket);
  }

  private static EmbeddedS3 start(Path requestedDir, boolean owned, int port, String bucket) {
    long started = System.nanoTime();
    // jclouds' filesystem store lists nothing under a relative base directory (objects are written,
    // prefix listings come back empty), so the server only ever sees an absolute one.
    Path dataDir = requestedDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dataDir);
      EmbeddedS3 s3 = new EmbeddedS3(dataDir, owned, port, bucket);
      s3.createBucket(bucket);
      log.info(
          "S3 (S3Proxy) up at {} in {} ms, data dir {}",
          s3.settings.endpoint(),
          (System.nanoTime() - started) / 1_000_000,
          dataDir);
      return s3;
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot start embedded S3 over " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** Endpoint, credentials, region and the default bucket. */
  public S3Settings settings() {
    return settings;
  }

  /** Creates another bucket (no-op when it exists). */
  public S3Settings createBucket(String bucket) {
    S3Settings other = settings.withBucket(bucket);
    new ObjectStore(other).ensureBucket();
    return other;
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      log.warn("S3Proxy did not stop cleanly: {}", e.toString());
    }
    context.close();
    if (ownsDataDir) Directories.deleteRecursively(dataDir);
  }
}
