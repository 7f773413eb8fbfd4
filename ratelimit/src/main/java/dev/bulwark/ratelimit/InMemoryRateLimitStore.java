package dev.bulwark.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bulwark.ratelimit.internal.Gcra;
import dev.bulwark.ratelimit.spi.RateLimitStore;
import dev.bulwark.ratelimit.spi.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link RateLimitStore} in this JVM's memory: correct for one application node, and the local
 * budget of a limiter whose shared store is down.
 *
 * <p>Each key holds one array of theoretical arrival times, updated under that key's own monitor
 * (one lock per key, held for a few arithmetic operations; no retry loop). Keys live in a
 * Caffeine map bounded to {@code maxKeys}. A key whose arrival times have all passed is equal to a
 * key never seen (it has its full burst again), so it can be forgotten without changing any
 * decision: a sweep removes such keys at most every {@link #SWEEP_INTERVAL} (run in the
 * background, started by a decision; {@link #size()} runs one at once). A key is only ever
 * removed under its own lock, once equal to a fresh one, so a decision racing the sweep is never
 * lost. Only the size bound can forget a live limit: when more than {@code maxKeys} keys are live
 * at once, the least used ones are forgotten first (Caffeine's W-TinyLFU), which lets those keys
 * start again with a full burst. Size it above the number of distinct keys your limiters see
 * within their longest window.
 *
 * <p>On the system clock, decisions are timed by the monotonic {@link System#nanoTime()} counter
 * anchored to the wall clock once, at build time: a wall clock set back or forward (NTP, an
 * operator) neither refills nor drains anyone's budget. A clock given to the builder is read as
 * it is (tests use a fake one).
 *
 * <p>Thread-safe.
 */
public final class InMemoryRateLimitStore implements RateLimitStore {

  /** Keys held unless the builder says otherwise. */
  public static final long DEFAULT_MAX_KEYS = 1_000_000;

  /** The longest a key equal to a fresh one stays in memory before a sweep removes it. */
  public static final Duration SWEEP_INTERVAL = Duration.ofSeconds(10);

  private static final long SWEEP_MICROS = SWEEP_INTERVAL.toNanos() / 1000;

  private final InstantSource clock;
  /** Wall-clock micros at build time, for the monotonic system-clock path; unused otherwise. */
  private final long baseMicros;
  private final long baseNanos;
  private final boolean monotonic;
  private final Cache<String, Cell> cells;
  private final AtomicBoolean sweeping = new AtomicBoolean();
  /** The time from which the next decision starts a sweep. */
  private volatile long nextSweepMicros;

  private InMemoryRateLimitStore(InstantSource clock, long maxKeys) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1");
    }
    this.monotonic = clock instanceof Clock c && c.withZone(ZoneOffset.UTC).equals(Clock.systemUTC());
    Instant t = clock.instant();
    this.baseNanos = System.nanoTime();
    this.baseMicros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    this.cells = Caffeine.newBuilder().maximumSize(maxKeys).build();
    this.nextSweepMicros = baseMicros + SWEEP_MICROS;
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
    int n = quotas.size();
    long[] out = n == 1 ? null : new long[n];
    long tat = 0;
    boolean admitted;
    long now;
    Cell cell = cells.getIfPresent(key);
    while (true) {
      if (cell == null || cell.tats.length != n) {
        cell = cells.asMap().compute(key, (k, old) -> current(old, quotas));
      }
      synchronized (cell) {
        if (cell.removed) {
          // Swept (or replaced) between the lookup and the lock: decide on the key's current cell.
          cell = null;
          continue;
        }
        if (cell.quotas != quotas && !cell.quotas.equals(quotas)) {
          cell.use(quotas);
        }
        // The clock is read under the key's lock, so the steps on a key see non-decreasing times
        // in the order they are applied.
        now = nowMicros();
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
        break;
      }
    }
    if (now >= nextSweepMicros) {
      startSweep(now);
    }
    return n == 1 ? Step.of(admitted, now, tat) : Step.of(admitted, now, out);
  }

  /** The cell to keep for a key: {@code old} if usable, else a fresh one (the old one marked removed). */
  private static Cell current(Cell old, List<Quota> quotas) {
    if (old != null) {
      synchronized (old) {
        if (!old.removed && old.tats.length == quotas.size()) {
          return old;
        }
        old.removed = true;
      }
    }
    return new Cell(quotas);
  }

  private long nowMicros() {
    if (monotonic) {
      return baseMicros + (System.nanoTime() - baseNanos) / 1000;
    }
    Instant t = clock.instant();
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  /** Starts one background sweep, unless one is running. */
  private void startSweep(long now) {
    if (sweeping.compareAndSet(false, true)) {
      nextSweepMicros = now + SWEEP_MICROS;
      try {
        ForkJoinPool.commonPool().execute(this::sweepAndRelease);
      } catch (RuntimeException e) {
        // No executor right now (shutting down): the next decision after the interval tries again.
        sweeping.set(false);
      }
    }
  }

  private void sweepAndRelease() {
    try {
      sweep(nowMicros());
    } finally {
      sweeping.set(false);
    }
  }

  /**
   * Removes every key whose arrival times have all passed at {@code now}: each is equal to a key
   * never seen. Marked under the key's lock, so a decision holding the cell sees the mark and takes
   * the key's new cell instead of updating a forgotten one.
   */
  private void sweep(long now) {
    for (Map.Entry<String, Cell> e : cells.asMap().entrySet()) {
      Cell cell = e.getValue();
      synchronized (cell) {
        if (cell.removed || !cell.fresh(now)) {
          continue;
        }
        cell.removed = true;
      }
      cells.asMap().remove(e.getKey(), cell);
    }
  }

  /** Number of keys held, after removing those equal to a fresh key. */
  public long size() {
    sweep(nowMicros());
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
    /** Set, under the cell's lock, when the sweep forgets the key; the cell is then never stepped. */
    boolean removed;
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
    }

    /** Whether every arrival time has passed at {@code now}: the key equals a fresh one. */
    boolean fresh(long now) {
      for (long t : tats) {
        if (t > now) {
          return false;
        }
      }
      return true;
    }
  }
}
