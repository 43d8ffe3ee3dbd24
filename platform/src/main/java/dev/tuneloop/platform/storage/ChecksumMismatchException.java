package dev.tuneloop.platform.storage;

/**
 * Downloaded bytes do not hash to the SHA-256 recorded at upload: the object is corrupt or was
 * overwritten.
 */
public final class ChecksumMismatchException extends ObjectStoreException {
  public ChecksumMismatchException(String location, String expected, String actual) {
    super(
        "Checksum mismatch for " + location + ": expected sha256 " + expected + ", read " + actual);
  }
}
