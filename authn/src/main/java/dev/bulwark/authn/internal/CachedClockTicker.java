package dev.bulwark.authn.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * A Caffeine {@link Ticker} on an injected {@link InstantSource} that reads the clock on a thread
 * only once per {@value #READS_PER_CLOCK_READ} reads and returns the value it read last otherwise.
 *
 * <p>Why: the in-memory stores look up a key several times per login step, and every Caffeine
 * lookup reads the ticker. {@code Clock.instant()} costs 25-60 ns (a native call), which made the
 * clock the largest single cost of the lockout step.
 *
 * <p>Why this is safe for the stores that use it: a thread's cached value is an earlier reading of
 * the same clock, so the cache's notion of time can only lag, never run ahead. The stores decide
 * whether a record is live from the caller's own {@code now} (lockout) or from the session's
 * deadlines (sessions), never from the cache's clock, and they give each entry its expiry as an
 * absolute instant ({@code target - currentTime}), which a lagging {@code currentTime} does not
 * change. A lagging ticker therefore only delays when the cache reclaims the memory of an expired
 * entry. Use it only where that holds.
 *
 * <p>Thread-safe (the cache is per thread).
 */
public final class CachedClockTicker implements Ticker {

  /** How many reads on one thread share one clock reading. */
  public static final int READS_PER_CLOCK_READ = 32;

  private final InstantSource clock;
  private final ToLongFunction<Instant> toTicks;
  /** Per thread: {ticks of the last clock reading, reads left before the next clock reading}. */
  private final ThreadLocal<long[]> last = ThreadLocal.withInitial(() -> new long[2]);

  /**
   * @param clock the clock the cache's time follows
   * @param toTicks converts an instant to the cache's nanosecond ticks
   */
  public CachedClockTicker(InstantSource clock, ToLongFunction<Instant> toTicks) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.toTicks = Objects.requireNonNull(toTicks, "toTicks");
  }

  @Override
  public long read() {
    long[] l = last.get();
    if (l[1] > 0) {
      l[1]--;
      return l[0];
    }
    l[1] = READS_PER_CLOCK_READ - 1;
    l[0] = toTicks.applyAsLong(clock.instant());
    return l[0];
  }

  /** Makes the calling thread's next {@link #read()} read the clock. */
  public void refresh() {
    last.get()[1] = 0;
  }
}
