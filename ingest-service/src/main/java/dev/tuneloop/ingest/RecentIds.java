package dev.tuneloop.ingest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recent example ids (scoped by tenant and dataset) known to be on examples.raw, oldest
 * evicted first. It answers "is this a retry?" without a round trip; it is rebuilt from the tail of
 * examples.raw at start, so a retry after an ingest crash is still recognised. Beyond its capacity,
 * curation's id check is the backstop.
 */
public final class RecentIds {

  private final Map<String, Boolean> ids;

  public RecentIds(int capacity) {
    this.ids =
        new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  public static String key(String tenant, String dataset, String id) {
    return tenant + "/" + dataset + "/" + id;
  }

  public synchronized boolean contains(String key) {
    return ids.containsKey(key);
  }

  public synchronized void add(String key) {
    ids.put(key, Boolean.TRUE);
  }

  public synchronized int size() {
    return ids.size();
  }
}
