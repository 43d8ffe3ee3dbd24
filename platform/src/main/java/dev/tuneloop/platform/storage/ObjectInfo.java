package dev.tuneloop.platform.storage;

import java.time.Instant;
import java.util.Optional;

/**
 * What the store knows about one object.
 *
 * @param key object key within the bucket
 * @param size bytes
 * @param sha256 lowercase hex SHA-256 of the content as recorded at upload by {@link ObjectStore};
 *     empty for objects written by other tools (and in listings, which do not carry user metadata)
 * @param etag the server's entity tag (not a content hash for multipart uploads)
 * @param lastModified server time of the last write
 */
public record ObjectInfo(
    String key, long size, Optional<String> sha256, String etag, Instant lastModified) {}
