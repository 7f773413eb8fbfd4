package dev.bulwark.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.bulwark.ratelimit.internal.Gcra;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.spi.Step;
import java.time.Clock;
import java.time.Duration;
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
 * Caffeine map bounded to {@code maxKeys}; a key expires once it has been idle for the largest
 * tolerance of any key the store has held plus one second: by then it is equal to a key never
 * seen, so expiry never forgets a live limit. Only the size bound can: when more than {@code maxKeys} keys are
 * live at once, the least used ones are forgotten first (Caffeine's W-TinyLFU), which lets those
 * keys start again with a full burst. Size it above the number of distinct keys your limiters see
 * within their longest window.
 *
 * <p>Thread-safe.
 */
public final class InMemoryRateLimitStore implements RateLimitStore {

  /** Keys held unless the builder says otherwise. */
  public static final long DEFAULT_MAX_KEYS = 1_000_000;

  private final InstantSource clock;
  private final Cache<String, Cell> cells;
  private final Policy.FixedExpiration<String, Cell> expiry;
  /** The idle time after which a key is forgotten: the largest tolerance seen, plus one second. */
  private volatile long idleNanos = 1_000_000_000L;

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
        .expireAfterAccess(Duration.ofNanos(idleNanos))
        .build();
    this.expiry = cells.policy().expireAfterAccess().orElseThrow();
  }

  /** A builder: the clock and the bound on live keys are optional. */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of an {@link InMemoryRateLimitStore}. Not thread-safe; build once. */
  public static final class Builder {
    private InstantSource clock = Clock.systemUTC();
    private long maxKeys = DEFAULT_MAX_KEYS;

    private Builder() {}

    /** The clock decisions are made on (default: the system clock). */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * At most {@code maxKeys} live keys (default {@link #DEFAULT_MAX_KEYS}).
     *
     * @throws IllegalArgumentException if {@code maxKeys} is below 1
     */
    public Builder maxKeys(long maxKeys) {
      if (maxKeys < 1) {
        throw new IllegalArgumentException("maxKeys must be at least 1");
      }
      this.maxKeys = maxKeys;
      return this;
    }

    public InMemoryRateLimitStore build() {
      return new InMemoryRateLimitStore(clock, maxKeys);
    }
  }

  @Override
  public Step acquire(String key, List<Quota> quotas, long cost) {
    Cell cell = cells.getIfPresent(key);
    if (cell == null || cell.tats.length != quotas.size()) {
      cell = cells.asMap().compute(key, (k, old) -> old != null && old.tats.length == quotas.size() ? old : new Cell(quotas));
    }
    int n = quotas.size();
    long[] out = n == 1 ? null : new long[n];
    long tat = 0;
    boolean admitted;
    long now;
    long cellIdle;
    synchronized (cell) {
      if (cell.quotas != quotas && !cell.quotas.equals(quotas)) {
        cell.use(quotas);
      }
      cellIdle = cell.idleNanos;
      // The clock is read under the key's lock, so the steps on a key see non-decreasing times in
      // the order they are applied.
      Instant t = clock.instant();
      now = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
      if (n == 1) {
        // One quota, in scalar arithmetic: the same step as Gcra.step.
        long[] tats = cell.tats;
        long next = Math.max(tats[0], now) + cost * cell.intervals[0];
        admitted = next - now <= cell.tolerances[0];
        if (admitted) {
          tats[0] = next;
          tat = next;
        } else {
          tat = Math.max(tats[0], now);
        }
      } else {
        admitted = Gcra.step(cell.tats, cell.intervals, cell.tolerances, cost, now, out);
      }
    }
    if (cellIdle > idleNanos) {
      lengthenIdle(cellIdle);
    }
    return n == 1 ? Step.of(admitted, now, tat) : Step.of(admitted, now, out);
  }

  /**
   * Keys expire a fixed idle time after their last use (one setting for the whole map, the
   * cheapest for Caffeine to keep): at least the largest tolerance of any key plus one second,
   * from which moment an idle key equals a fresh one. It only ever grows.
   */
  private synchronized void lengthenIdle(long nanos) {
    if (nanos > idleNanos) {
      idleNanos = nanos;
      expiry.setExpiresAfter(Duration.ofNanos(nanos));
    }
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

  /** One key: its arrival times and the parameters of the quotas they were last stepped with. */
  private static final class Cell {
    final long[] tats;
    long idleNanos;
    List<Quota> quotas;
    long[] intervals;
    long[] tolerances;

    Cell(List<Quota> quotas) {
      tats = new long[quotas.size()];
      use(quotas);
    }

    /** Same number of quotas, other values (a limiter rebuilt with new limits): keep the times. */
    void use(List<Quota> quotas) {
      this.quotas = quotas;
      this.intervals = Gcra.intervals(quotas);
      this.tolerances = Gcra.tolerances(quotas);
      long max = 0;
      for (long t : tolerances) {
        max = Math.max(max, t);
      }
      this.idleNanos = Math.multiplyExact(max, 1000L) + 1_000_000_000L;
    }
  }
}
