package dev.bulwark.detect.spi;

import dev.bulwark.detect.DetectStoreException;

/**
 * Where the detectors keep their state: windowed event counters, sets of distinct members with the
 * time each was last seen, and last-seen records. Nodes that share one implementation backed by a
 * shared server (PostgreSQL, Redis) see one picture: failures of one account or sources spread over
 * several nodes count as if they had reached one.
 *
 * <p>Every state item is addressed by a {@code name} (a short constant of the detector, e.g.
 * {@code "fail"}, naming what is kept and how: its window width and cap are always the same for
 * one name) and a {@code key} (an account, a source address, a session id: any text). Times are
 * the events' own times in epoch milliseconds, never a server's clock, so windows are exact
 * under the host's clock and replays give the same answers.
 *
 * <p>Counters ({@link #addCount}, {@link #sumCounts}) keep a count per time bucket (one second
 * for the fleet's failure rate): one hot item that every node adds to stays one small atomic step
 * however many events arrive, where a window of event times would grow with them.
 *
 * <p><b>Atomicity.</b> Each method is one atomic step on one item: concurrent calls from any
 * number of threads and nodes lose no event and no member (a count returned includes the call's
 * own event and every event recorded before it).
 *
 * <p><b>Expiry.</b> An item not written for longer than its width ({@code ttlMillis} for records)
 * may be forgotten; implementations bound what they keep.
 *
 * <p><b>Failures.</b> A store that cannot answer throws {@link DetectStoreException} (never an
 * answer of zero); the detector then assesses the event at its state-failure level (see
 * {@code Detector.Builder.onStateFailure}).
 *
 * <p>Implementations MUST be thread-safe. Bulwark ships {@code InMemoryDetectState} (one node),
 * {@code JdbcDetectState} (PostgreSQL) and {@code RedisDetectState} (Redis);
 * {@code dev.bulwark.testkit.detect.DetectStateContract} is the contract they pass.
 */
public interface DetectState {

  /**
   * Records an event at {@code atMillis} in the window {@code (name, key)} of width
   * {@code widthMillis} and returns the events in {@code (now - width, now]}, where {@code now} is
   * the newest time recorded in the window (an event older than that counts as if it arrived at
   * {@code now}). Exact up to {@code cap} (at least 1): at most {@code cap} times are kept.
   */
  int addEvent(String name, String key, long atMillis, long widthMillis, int cap);

  /** The events in {@code (now - width, now]} of the window, {@code now} as in {@link #addEvent}; records nothing. */
  int countEvents(String name, String key, long atMillis, long widthMillis);

  /**
   * Marks {@code member} of the set {@code (name, key)} as seen at {@code atMillis} (a later time
   * than the one kept replaces it) and returns the members seen in {@code (atMillis - width, atMillis]}.
   * At most {@code cap} members are kept (those seen longest ago are forgotten first), so the
   * count is exact up to {@code cap}.
   */
  int addMember(String name, String key, String member, long atMillis, long widthMillis, int cap);

  /** The members of the set seen in {@code (atMillis - width, atMillis]}; records nothing. */
  int countMembers(String name, String key, long atMillis, long widthMillis);

  /** Whether {@code member} is kept in the set {@code (name, key)} (seen at any time, not forgotten). */
  boolean hasMember(String name, String key, String member);

  /** Stores {@code value} as the record {@code (name, key)} (the last write wins); kept at least {@code ttlMillis}. */
  void put(String name, String key, String value, long ttlMillis);

  /**
   * Stores {@code value} unless the record exists, and returns the record's value afterwards:
   * {@code value} if this call stored it, else the value that was there (the first write wins).
   */
  String putIfAbsent(String name, String key, String value, long ttlMillis);

  /** The record's value, or null if there is none. */
  String get(String name, String key);

  /**
   * Adds {@code delta} to the bucket of the counter {@code (name, key)} that holds
   * {@code atMillis} (buckets are {@code bucketMillis} wide: bucket
   * {@code floorDiv(atMillis, bucketMillis)}) and returns the sum of the {@code span} buckets
   * ending with that one, this call's delta included. The buckets within {@code keepMillis} of
   * the newest one are kept (for {@link #sumCounts}); older ones may be forgotten and count as
   * zero.
   *
   * @throws IllegalArgumentException unless {@code delta}, {@code bucketMillis}, {@code span} and
   *     {@code keepMillis} are positive
   */
  long addCount(String name, String key, long atMillis, long delta, long bucketMillis, int span, long keepMillis);

  /**
   * The sum of the counter's buckets from the one holding {@code fromMillis} through the one
   * holding {@code toMillis} (0 if {@code from > to}); records nothing.
   */
  long sumCounts(String name, String key, long fromMillis, long toMillis, long bucketMillis);
}
