package dev.bulwark.detect.internal;

/**
 * The state items of one key (an account, a source, a session), as one event's steps use them:
 * the same steps as {@code DetectState} with the name replaced by an {@link Items} number. Opened
 * for one event and closed after it; an in-memory state holds the key's lock in between, so the
 * steps of one event on one key are atomic together and touch one map entry.
 */
public interface KeyState extends AutoCloseable {

  int addEvent(int item, long atMillis, long widthMillis, int cap);

  int countEvents(int item, long atMillis, long widthMillis);

  int addMember(int item, String member, long atMillis, long widthMillis, int cap);

  int countMembers(int item, long atMillis, long widthMillis);

  boolean hasMember(int item, String member);

  <T> T get(int item, Packing<T> packing);

  <T> void put(int item, T value, Packing<T> packing, long ttlMillis);

  <T> T putIfAbsent(int item, T value, Packing<T> packing, long ttlMillis);

  long addCount(int item, long atMillis, long delta, long bucketMillis, int span, long keepMillis);

  long sumCounts(int item, long fromMillis, long toMillis, long bucketMillis);

  /** Releases the key (the in-memory lock); never throws. */
  @Override
  void close();
}
