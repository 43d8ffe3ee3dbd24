package dev.tuneloop.platform.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes what passes through and, on reaching the end, compares with the expected SHA-256: a reader
 * that consumes the whole stream either got the uploaded bytes or gets a {@link
 * ChecksumMismatchException}.
 */
final class VerifyingInputStream extends FilterInputStream {
  private final MessageDigest digest = Sha256.newDigest();
  private final String expected;
  private final String location;
  private boolean verified;

  VerifyingInputStream(InputStream in, String expected, String location) {
    super(in);
    this.expected = expected;
    this.location = location;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) verify();
    else digest.update((byte) b);
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = super.read(buf, off, len);
    if (n < 0) verify();
    else digest.update(buf, off, n);
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes must still be hashed, so they are read.
    byte[] buf = new byte[8192];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) break;
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void verify() {
    if (verified) return;
    verified = true;
    String actual = Sha256.hex(digest);
    if (!actual.equals(expected)) throw new ChecksumMismatchException(location, expected, actual);
  }
}
