package dev.bulwark.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.bulwark.ratelimit.internal.Gcra;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.spi.Step;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;

/**
 * {@link RateLimitStore} in this JVM's memory: correct for one application node, and the local
 * budget of a limiter whose shared store is down.
 *
 * <p>Each key holds one array of theoretical arrival times, updated under that key's own monitor
 * (one lock per key, held for a few arithmetic operations; no retry loop). Keys live in a
 * Caffeine map bounded to {@code maxKeys}; a key expires once it has been idle for its largest
 * tolerance plus one second, the moment from which it is equal to a key never seen, so expiry
 * never forgets a live limit. Only the size bound can: when more than {@code maxKeys} keys are
 * live at once, the least used ones are forgotten first (Caffeine's W-TinyLFU), which lets those
 * keys start again with a full burst. Size it above the number of distinct keys your limiters see
 * within their longest window.
 *
 * <p>Thread-safe.
 */
public final class InMemoryRateLimitStore implements RateLimitStore {

  /** Keys held by {@link #create()}. */
  public static final long DEFAULT_MAX_KEYS = 1_000_000;

  private final InstantSource clock;
  private final Cache<String, Cell> cells;

  private InMemoryRateLimitStore(InstantSource clock, long maxKeys) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1");
    }
    Ticker ticker = clock.equals(Clock.systemUTC()) ? Ticker.systemTicker() : () -> {
      Instant t = clock.instant();
      return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    };
    this.cells = Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .ticker(ticker)
        .expireAfter(new Expiry<String, Cell>() {
          @Override
          public long expireAfterCreate(String key, Cell cell, long currentTime) {
            return cell.idleNanos;
          }

          @Override
          public long expireAfterUpdate(String key, Cell cell, long currentTime, long currentDuration) {
            return cell.idleNanos;
          }

          @Override
          public long expireAfterRead(String key, Cell cell, long currentTime, long currentDuration) {
            return cell.idleNanos;
          }
        })
        .build();
  }

  /** A store on the system clock holding at most {@link #DEFAULT_MAX_KEYS} keys. */
  public static InMemoryRateLimitStore create() {
    return new InMemoryRateLimitStore(Clock.systemUTC(), DEFAULT_MAX_KEYS);
  }

  /**
   * A store on {@code clock} holding at most {@code maxKeys} live keys.
   *
   * @throws IllegalArgumentException if {@code maxKeys} is below 1
   */
  public static InMemoryRateLimitStore create(InstantSource clock, long maxKeys) {
    return new InMemoryRateLimitStore(clock, maxKeys);
  }

  @Override
  public Step acquire(String key, List<Quota> quotas, long cost) {
    Cell cell = cells.getIfPresent(key);
    if (cell == null || cell.tats.length != quotas.size()) {
      cell = cells.asMap().compute(key, (k, old) -> old != null && old.tats.length == quotas.size() ? old : new Cell(quotas));
    }
    long[] out = new long[quotas.size()];
    boolean admitted;
    long now;
    synchronized (cell) {
      // The clock is read under the key's lock, so the steps on a key see non-decreasing times in
      // the order they are applied.
      Instant t = clock.instant();
      now = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
      admitted = Gcra.step(cell.tats, quotas, cost, now, out);
    }
    return Step.of(admitted, now, out);
  }

  /** Number of keys held (approximate; expired keys may linger until the next maintenance). */
  public long size() {
    cells.cleanUp();
    return cells.estimatedSize();
  }

  @Override
  public String toString() {
    return "InMemoryRateLimitStore[" + cells.estimatedSize() + " keys]";
  }

  private static final class Cell {
    final long[] tats;
    final long idleNanos;

    Cell(List<Quota> quotas) {
      tats = new long[quotas.size()];
      long max = 0;
      for (Quota q : quotas) {
        max = Math.max(max, q.toleranceMicros());
      }
      idleNanos = Math.multiplyExact(max, 1000L) + 1_000_000_000L;
    }
  }
}
