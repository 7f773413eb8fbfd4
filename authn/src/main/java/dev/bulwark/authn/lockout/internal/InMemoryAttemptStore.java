package dev.bulwark.authn.lockout.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.bulwark.authn.internal.CachedClockTicker;
import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentMap;

/**
 * {@link AttemptStore} in a Caffeine cache of small per-key counters, correct for one application
 * node.
 *
 * <h2>How a failure is counted</h2>
 *
 * <p>Each key maps to a {@link Counter}. A failure on a key whose counter exists is applied under
 * that counter's monitor (the fast path: one cache lookup, which also feeds the size policy, and
 * one uncontended lock; no cache write), and the new record is published as an immutable
 * {@link View}, so reads ({@link Policy#getIfPresentQuietly}) take no lock and allocate nothing. Three things need the cache itself and go through
 * {@code asMap().compute} instead (the slow path): creating a counter, a failure that disables the
 * key (its weight drops to zero, see below), and a failure whose {@code expiresAt} lies beyond the
 * time the cache has been told to keep the counter.
 *
 * <h2>Why no count is lost</h2>
 *
 * <ul>
 *   <li>The cache drops a counter only inside its own atomic removal (expiry, size eviction), and
 *       {@link #reset} removes it inside {@code compute}. Each removal marks the counter retired
 *       under its monitor, in the same atomic step. A failure on the fast path holds the monitor;
 *       if it finds the counter retired it takes the slow path, which works on whatever the key
 *       maps to now. So a failure either lands before the removal (and the removal is what the
 *       caller observes next: an expired, evicted or reset record) or after it, in the new
 *       counter.
 *   <li>Expiry: the cache keeps a counter until {@code keepUntil}, which only the slow path sets,
 *       in the same {@code compute} that tells the cache, and which is never before the record's
 *       logical {@code expiresAt}: the fast path refuses a failure whose {@code expiresAt} would
 *       pass it. So the cache never expires a record that is still live: it removes it at the
 *       earliest when the record has expired anyway. {@code keepUntil} is set a quarter of the
 *       record's lifetime beyond {@code expiresAt}, so a key under constant attack takes the slow
 *       path about four times per {@code forgetAfter}.
 * </ul>
 *
 * <h2>Memory</h2>
 *
 * <p>At most {@code maxKeys} counters that are not disabled. When an attack spreads failures over
 * more keys than that, Caffeine's W-TinyLFU policy drops the keys with the fewest recent failures
 * first: failures count as accesses, reads do not, so a key under sustained attack has a high
 * frequency and is kept, and forgetting a rarely failing key gives it back its free failures,
 * nothing more. Disabled counters weigh nothing and are never dropped for size, because NIST
 * 800-63B's "disabled until re-enabled" must not be undone by traffic on other keys; each needs
 * {@code disableAt} failures (at most 100) on one key, which the backoff spreads over hours.
 * Expired records leave the cache at {@code keepUntil} on the store's clock.
 *
 * <p>Cache maintenance runs on the calling threads ({@code executor(Runnable::run)}), amortised
 * over many writes, instead of being handed to the common pool. The cache's ticker is a
 * {@link CachedClockTicker}: the cache's time may lag the clock by a few calls, which only delays
 * reclaiming memory, since liveness is always decided from the caller's {@code now}.
 */
public final class InMemoryAttemptStore implements AttemptStore {

  /** The default bound on keys held: about 300 bytes each, so about 150 MB when full. */
  public static final long DEFAULT_MAX_KEYS = 500_000;

  /** A key's record as readers see it: immutable, swapped whole. */
  private static final class View {
    final Attempts attempts;
    final Instant expiresAt;

    View(Attempts attempts, Instant expiresAt) {
      this.attempts = attempts;
      this.expiresAt = expiresAt;
    }

    boolean liveAt(Instant now) {
      return attempts.disabled() || expiresAt.isAfter(now);
    }
  }

  /** The counter behind one key. {@code view} is written under the monitor, read without it. */
  private static final class Counter {
    private volatile View view;
    /** When the cache may drop this counter, on the cache's ticker; written only in compute. */
    private long keepUntilTick;
    private boolean retired;

    /**
     * The fast path: applies the failure and returns the new record, or returns null when the
     * slow path must do it (retired, disabling, or beyond {@code keepUntil}).
     */
    synchronized Attempts tryFail(Instant now, Instant expiresAt, long expiresAtTick, long disableAt) {
      if (retired) {
        return null;
      }
      View v = view;
      boolean live = v.liveAt(now);
      boolean wasDisabled = live && v.attempts.disabled();
      long failures = live ? v.attempts.failures() + 1 : 1;
      boolean disabled = wasDisabled || failures >= disableAt;
      if (disabled != wasDisabled || (!disabled && expiresAtTick > keepUntilTick)) {
        return null;
      }
      Attempts a = new Attempts(failures, now, disabled);
      view = new View(a, expiresAt);
      return a;
    }

    /** The slow path, inside the cache's compute for this key: always applies the failure. */
    synchronized Attempts fail(Instant now, Instant expiresAt, long expiresAtTick, long keepUntilTick, long disableAt) {
      View v = view;
      boolean live = v != null && v.liveAt(now);
      boolean wasDisabled = live && v.attempts.disabled();
      long failures = live ? v.attempts.failures() + 1 : 1;
      boolean disabled = wasDisabled || failures >= disableAt;
      Attempts a = new Attempts(failures, now, disabled);
      view = new View(a, expiresAt);
      if (keepUntilTick > this.keepUntilTick) {
        this.keepUntilTick = keepUntilTick;
      }
      return a;
    }

    synchronized void retire() {
      retired = true;
    }

    /** Read by the cache right after a compute on this counter, on the thread that ran it. */
    synchronized long keepUntilTick() {
      return keepUntilTick;
    }
  }

  private final Instant base;
  private final CachedClockTicker ticker;
  private final Cache<String, Counter> cache;
  private final ConcurrentMap<String, Counter> map;
  private final Policy<String, Counter> policy;
  private final long maxKeys;

  /** A store bounded to {@link #DEFAULT_MAX_KEYS}. */
  public InMemoryAttemptStore(InstantSource clock) {
    this(clock, DEFAULT_MAX_KEYS);
  }

  /**
   * A store holding at most {@code maxKeys} keys that are not disabled.
   *
   * @throws IllegalArgumentException if {@code maxKeys} is below 1
   */
  public InMemoryAttemptStore(InstantSource clock, long maxKeys) {
    Objects.requireNonNull(clock, "clock");
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1");
    }
    this.maxKeys = maxKeys;
    // The ticker counts nanoseconds from the store's creation on the store's clock, so no instant
    // overflows a long and expiry follows the same (possibly fake) time as the callers' instants.
    Instant start = clock.instant();
    this.base = start;
    this.ticker = new CachedClockTicker(clock, t -> tick(start, t));
    this.cache = Caffeine.newBuilder()
        .ticker(ticker)
        .executor(Runnable::run)
        .maximumWeight(maxKeys)
        .weigher((String key, Counter c) -> c.view.attempts.disabled() ? 0 : 1)
        .evictionListener((String key, Counter c, RemovalCause cause) -> {
          if (c != null) {
            c.retire();
          }
        })
        .expireAfter(new Expiry<String, Counter>() {
          @Override
          public long expireAfterCreate(String key, Counter c, long currentTime) {
            return ttl(c, currentTime);
          }

          @Override
          public long expireAfterUpdate(String key, Counter c, long currentTime, long currentDuration) {
            return ttl(c, currentTime);
          }

          @Override
          public long expireAfterRead(String key, Counter c, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
    this.map = cache.asMap();
    this.policy = cache.policy();
  }

  private static long ttl(Counter c, long currentTime) {
    if (c.view.attempts.disabled()) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, c.keepUntilTick() - currentTime);
  }

  /**
   * Nanoseconds from {@code base} to {@code t}, saturating at half the long range (about 146
   * years), so that the difference of two ticks never overflows.
   */
  private static long tick(Instant base, Instant t) {
    long seconds = t.getEpochSecond() - base.getEpochSecond();
    if (seconds > 4_000_000_000L || seconds < -4_000_000_000L) {
      return seconds < 0 ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
    }
    return seconds * 1_000_000_000L + (t.getNano() - base.getNano());
  }

  @Override
  public Attempts get(String key, Instant now) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(now, "now");
    Counter c = policy.getIfPresentQuietly(key);
    if (c == null) {
      return Attempts.NONE;
    }
    View v = c.view;
    return v.liveAt(now) ? v.attempts : Attempts.NONE;
  }

  /** Reads each key as {@link #get} does; up to three distinct keys come back in an immutable map. */
  @Override
  public Map<String, Attempts> getAll(Collection<String> keys, Instant now) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(now, "now");
    int n = keys.size();
    if (n == 0) {
      return Map.of();
    }
    if (n <= 3) {
      Iterator<String> it = keys.iterator();
      String k1 = it.next();
      if (n == 1) {
        return Map.of(k1, get(k1, now));
      }
      String k2 = it.next();
      String k3 = n == 3 ? it.next() : null;
      if (!k1.equals(k2) && (k3 == null || (!k1.equals(k3) && !k2.equals(k3)))) {
        return k3 == null
            ? Map.of(k1, get(k1, now), k2, get(k2, now))
            : Map.of(k1, get(k1, now), k2, get(k2, now), k3, get(k3, now));
      }
    }
    Map<String, Attempts> out = new LinkedHashMap<>();
    for (String key : keys) {
      out.put(key, get(key, now));
    }
    return out;
  }

  @Override
  public Attempts recordFailure(String key, Instant now, Instant expiresAt, long disableAt) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(expiresAt, "expiresAt");
    long expiresAtTick = tick(base, expiresAt);
    // Not a quiet read: the access feeds the size policy's frequency sketch, so a key that keeps
    // failing counts as hot and is the last to be dropped when the store is full.
    Counter c = cache.getIfPresent(key);
    if (c != null) {
      Attempts a = c.tryFail(now, expiresAt, expiresAtTick, disableAt);
      if (a != null) {
        return a;
      }
    }
    // Keep the counter a quarter of the record's lifetime past expiresAt, so that the failures of
    // that quarter take the fast path.
    long lifetime = Math.max(0, expiresAtTick - tick(base, now));
    long keepUntilTick = expiresAtTick + Math.min(lifetime / 4, Long.MAX_VALUE / 4);
    Attempts[] out = new Attempts[1];
    map.compute(key, (k, old) -> {
      Counter counter = old == null ? new Counter() : old;
      out[0] = counter.fail(now, expiresAt, expiresAtTick, keepUntilTick, disableAt);
      return counter;
    });
    return out[0];
  }

  @Override
  public List<Attempts> recordFailures(List<Failure> failures) {
    Attempts[] out = new Attempts[failures.size()];
    for (int i = 0; i < out.length; i++) {
      Failure f = failures.get(i);
      out[i] = recordFailure(f.key(), f.at(), f.expiresAt(), f.disableAt());
    }
    return List.of(out);
  }

  @Override
  public void reset(String key) {
    map.computeIfPresent(Objects.requireNonNull(key, "key"), (k, c) -> {
      c.retire();
      return null;
    });
  }

  /**
   * Keys held right now, after pending cache maintenance (expiry, size eviction) has run. For
   * tests and metrics.
   */
  public long keysHeld() {
    ticker.refresh();
    cache.cleanUp();
    return cache.estimatedSize();
  }

  @Override
  public String toString() {
    return "InMemoryAttemptStore[" + cache.estimatedSize() + " keys, max " + maxKeys + "]";
  }
}
