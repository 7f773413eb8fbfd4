package dev.bulwark.detect.internal;

/**
 * Counts per time bucket in a ring of {@code long}s that reaches back a fixed number of buckets
 * from the newest; older buckets are forgotten (count zero). Not thread-safe.
 */
public final class Counter {
  /** The most buckets a ring keeps (one day of seconds). */
  public static final int MAX_BUCKETS = 86_400;

  private final long bucketMillis;
  private final long[] counts;
  private long newest = Long.MIN_VALUE;

  /** A counter of buckets {@code bucketMillis} wide reaching back {@code keepMillis} (and at least {@code span} buckets). */
  public Counter(long bucketMillis, int span, long keepMillis) {
    this.bucketMillis = bucketMillis;
    long n = Math.max(span, keepMillis / bucketMillis + 1);
    this.counts = new long[(int) Math.min(n, MAX_BUCKETS)];
  }

  /** Adds {@code delta} to the bucket of {@code atMillis}; returns the sum of the {@code span} buckets ending there. */
  public long add(long atMillis, long delta, int span) {
    long b = Math.floorDiv(atMillis, bucketMillis);
    if (newest == Long.MIN_VALUE || b - newest >= counts.length) {
      java.util.Arrays.fill(counts, 0);
      newest = b;
    } else {
      for (long x = newest + 1; x <= b; x++) {
        counts[slot(x)] = 0;
      }
      newest = Math.max(newest, b);
    }
    if (b > newest - counts.length) {
      counts[slot(b)] += delta;
    }
    return sum(b - span + 1, b);
  }

  /** The sum of the buckets holding {@code fromMillis} through {@code toMillis}. */
  public long sum(long fromMillis, long toMillis, long bucketWidth) {
    if (bucketWidth != bucketMillis) {
      throw new IllegalArgumentException("the counter's buckets are " + bucketMillis + " ms wide");
    }
    return sum(Math.floorDiv(fromMillis, bucketMillis), Math.floorDiv(toMillis, bucketMillis));
  }

  private long sum(long fromBucket, long toBucket) {
    if (newest == Long.MIN_VALUE) {
      return 0;
    }
    long from = Math.max(fromBucket, newest - counts.length + 1);
    long to = Math.min(toBucket, newest);
    long s = 0;
    for (long x = from; x <= to; x++) {
      s += counts[slot(x)];
    }
    return s;
  }

  private int slot(long bucket) {
    return (int) Math.floorMod(bucket, (long) counts.length);
  }

  /** The bucket width in milliseconds. */
  public long bucketMillis() {
    return bucketMillis;
  }
}
