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
  /** The span of the last add and the sum of the buckets in (newest - span, newest]: an add or a
   * sum over the latest span is then O(1) plus the buckets the span moved over. */
  private int span;
  private long spanSum;

  /** A counter of buckets {@code bucketMillis} wide reaching back {@code keepMillis} (and at least {@code span} buckets). */
  public Counter(long bucketMillis, int span, long keepMillis) {
    this.bucketMillis = bucketMillis;
    long n = Math.max(span, keepMillis / bucketMillis + 1);
    this.counts = new long[(int) Math.min(n, MAX_BUCKETS)];
  }

  /** Adds {@code delta} to the bucket of {@code atMillis}; returns the sum of the {@code span} buckets ending there. */
  public long add(long atMillis, long delta, int span) {
    long b = Math.floorDiv(atMillis, bucketMillis);
    int w = Math.min(span, counts.length);
    if (newest == Long.MIN_VALUE || b - newest >= counts.length) {
      java.util.Arrays.fill(counts, 0);
      newest = b;
      this.span = w;
      spanSum = 0;
    } else if (b > newest) {
      if (w == this.span) {
        // Buckets leaving the span as it moves from newest to b.
        for (long x = newest - w + 1; x <= Math.min(newest, b - w); x++) {
          spanSum -= counts[slot(x)];
        }
      }
      for (long x = newest + 1; x <= b; x++) {
        counts[slot(x)] = 0;
      }
      newest = b;
      if (w != this.span) {
        this.span = w;
        spanSum = slowSum(b - w + 1, b);
      }
    } else if (w != this.span) {
      this.span = w;
      spanSum = slowSum(newest - w + 1, newest);
    }
    if (b > newest - counts.length) {
      counts[slot(b)] += delta;
      if (b > newest - this.span) {
        spanSum += delta;
      }
    }
    return b == newest ? spanSum : sum(b - span + 1, b);
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
    if (span > 0 && toBucket >= newest && fromBucket <= newest && fromBucket >= newest - span + 1) {
      // The latest span less the buckets before fromBucket (as many as the time moved past newest).
      long s = spanSum;
      for (long x = newest - span + 1; x < fromBucket; x++) {
        s -= counts[slot(x)];
      }
      return s;
    }
    return slowSum(fromBucket, toBucket);
  }

  private long slowSum(long fromBucket, long toBucket) {
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
