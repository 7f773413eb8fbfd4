package dev.bulwark.detect.internal;

/**
 * Timestamps (epoch milliseconds) of the events in a sliding window {@code (t - width, t]},
 * bounded: it keeps at most {@code cap} timestamps, so {@link #count} is exact up to {@code cap}
 * and saturates there (the detectors only compare counts with thresholds below the cap). Events
 * must arrive in time order; an older event is counted as if it arrived at the newest time.
 * Not thread-safe.
 */
public final class TimeWindow {
  private final long widthMillis;
  private final long[] times;
  private int head;
  private int size;
  private long newest = Long.MIN_VALUE;

  public TimeWindow(long widthMillis, int cap) {
    this.widthMillis = widthMillis;
    this.times = new long[cap];
  }

  /** Records an event at {@code t} and returns the count in {@code (t - width, t]}, at most the cap. */
  public int add(long t) {
    long now = Math.max(t, newest);
    newest = now;
    evict(now);
    if (size == times.length) {
      head = next(head);
      size--;
    }
    int slot = head + size;
    times[slot >= times.length ? slot - times.length : slot] = now;
    size++;
    return size;
  }

  /** The width in milliseconds. */
  public long widthMillis() {
    return widthMillis;
  }

  /** The count in {@code (t - width, t]} without recording anything. */
  public int count(long t) {
    evict(Math.max(t, newest));
    return size;
  }

  private void evict(long now) {
    long oldestKept = now - widthMillis;
    while (size > 0 && times[head] <= oldestKept) {
      head = next(head);
      size--;
    }
  }

  private int next(int i) {
    return i + 1 == times.length ? 0 : i + 1;
  }
}
