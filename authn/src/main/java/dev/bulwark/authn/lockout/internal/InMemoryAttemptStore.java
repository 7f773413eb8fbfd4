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
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link AttemptStore} in a Caffeine cache of small per-key counters, correct for one application
 * node.
 *
 * <h2>How a failure is counted</h2>
 *
 * <p>Each key maps to a {@link Counter} holding one immutable {@link View} of its record. A
 * failure on a key whose counter exists swaps in the next view by compare-and-set: the fast path
 * is one quiet cache lookup and one CAS, with no lock and no cache write, so threads failing on
 * the same key (one source address) never block each other, and reads
 * ({@link Policy#getIfPresentQuietly}) take no lock. Three things need the
 * cache itself and go through {@code asMap().compute} instead (the slow path): creating a counter,
 * a failure that disables the key (its weight drops to zero, see below), and a failure whose
 * {@code expiresAt} lies beyond the time the cache has been told to keep the counter.
 *
 * <h2>Why no count is lost</h2>
 *
 * <ul>
 *   <li>The cache drops a counter only inside its own atomic removal (expiry, size eviction), and
 *       {@link #reset} removes it inside {@code compute}. Each removal swaps in the
 *       {@code RETIRED} view in the same atomic step. Every failure is one successful CAS from one
 *       view to the next, and a fast-path failure that finds the counter retired takes the slow
 *       path, which works on whatever the key maps to now. So a failure lands either before the
 *       removal (and the removal is what the next caller observes: an expired, evicted or reset
 *       record) or after it, in the new counter.
 *   <li>Expiry: the cache keeps a counter until {@code keepUntil}, which only the slow path
 *       raises, in the same {@code compute} that tells the cache, and which is never before the
 *       record's logical {@code expiresAt}: the fast path refuses a failure whose
 *       {@code expiresAt} would pass it. So the cache never expires a record that is still live;
 *       it removes it at the earliest once the record has expired anyway. {@code keepUntil} is set
 *       a quarter of the record's lifetime beyond {@code expiresAt}, so a key under constant
 *       attack takes the slow path about four times per {@code forgetAfter}.
 * </ul>
 *
 * <h2>Memory</h2>
 *
 * <p>At most {@code maxKeys} counters that are not disabled. When an attack spreads failures over
 * more keys than that, Caffeine's W-TinyLFU policy drops the keys with the fewest recent failures
 * first: creating a key and every eighth failure count as accesses, reads do not, so a key under
 * sustained attack has a high frequency and is kept, and forgetting a rarely failing key gives it
 * back its free failures, nothing more. Disabled counters weigh nothing and are never dropped for
 * size, because NIST 800-63B's "disabled until re-enabled" must not be undone by traffic on other
 * keys; each needs {@code disableAt} failures (at most 100) on one key, which the backoff spreads
 * over hours. Expired records leave the cache at {@code keepUntil} on the store's clock.
 *
 * <p>Cache maintenance runs on the calling threads ({@code executor(Runnable::run)}), amortised
 * over many writes, instead of being handed to the common pool. The cache's ticker is a
 * {@link CachedClockTicker}: the cache's time may lag the clock by a few calls, which only delays
 * reclaiming memory, since liveness is always decided from the caller's {@code now}.
 */
public final class InMemoryAttemptStore implements AttemptStore {

  /** The default bound on keys held: about 300 bytes each, so about 150 MB when full. */
  public static final long DEFAULT_MAX_KEYS = 500_000;

  /** Every this many failures of a key count as one access for the size policy (a power of 2). */
  private static final int FAILURES_PER_RECORDED_ACCESS = 8;

  /**
   * A key's state, immutable and swapped whole by compare-and-set: the record, its logical expiry,
   * and how long the cache keeps the counter ({@code keepUntilTick}, on the cache's ticker; only
   * the slow path raises it, the fast path copies it). Flat on purpose: a lookup that has to follow
   * further pointers (an {@link Attempts}, an {@link Instant}) pays a cache miss for each when the
   * keys outnumber the CPU cache, so {@link #attempts()} builds the record on demand.
   */
  private static final class View {
    final long failures;
    final long lastFailureSecond;
    final int lastFailureNano;
    final boolean disabled;
    final long expiresAtSecond;
    final int expiresAtNano;
    final long keepUntilTick;

    View(long failures, Instant lastFailureAt, boolean disabled, Instant expiresAt, long keepUntilTick) {
      this.failures = failures;
      this.lastFailureSecond = lastFailureAt.getEpochSecond();
      this.lastFailureNano = lastFailureAt.getNano();
      this.disabled = disabled;
      this.expiresAtSecond = expiresAt.getEpochSecond();
      this.expiresAtNano = expiresAt.getNano();
      this.keepUntilTick = keepUntilTick;
    }

    /** Disabled, or {@code expiresAt} is after {@code now}. */
    boolean liveAt(Instant now) {
      long second = now.getEpochSecond();
      return disabled || expiresAtSecond > second || (expiresAtSecond == second && expiresAtNano > now.getNano());
    }

    Attempts attempts() {
      return new Attempts(failures, Instant.ofEpochSecond(lastFailureSecond, lastFailureNano), disabled);
    }
  }

  /** The view of a counter the cache has removed: reads as absent, refuses every update. */
  private static final View RETIRED = new View(0, Instant.EPOCH, false, Instant.MIN, Long.MIN_VALUE);

  /**
   * The counter behind one key: a single reference to its current {@link View}, updated by
   * compare-and-set, so concurrent failures on one key (one source address failing against many
   * accounts) never block each other and a preempted thread never holds up another. A new
   * counter holds null until the compute that creates it applies its first failure.
   */
  private static final class Counter extends AtomicReference<View> {
    private static final long serialVersionUID = 1L;

    View view() {
      return get();
    }

    /**
     * The fast path: applies the failure and returns the new record, or returns null when the
     * slow path must do it (retired, disabling, or beyond {@code keepUntil}).
     */
    Attempts tryFail(Instant now, Instant expiresAt, long expiresAtTick, long disableAt) {
      for (;;) {
        View v = view();
        if (v == RETIRED) {
          return null;
        }
        boolean live = v.liveAt(now);
        boolean wasDisabled = live && v.disabled;
        long failures = live ? v.failures + 1 : 1;
        boolean disabled = wasDisabled || failures >= disableAt;
        if (disabled != wasDisabled || (!disabled && expiresAtTick > v.keepUntilTick)) {
          return null;
        }
        View next = new View(failures, now, disabled, expiresAt, v.keepUntilTick);
        if (compareAndSet(v, next)) {
          return new Attempts(failures, now, disabled);
        }
      }
    }

    /**
     * The slow path, inside the cache's compute for this key (so never retired): always applies
     * the failure, and keeps the counter until at least {@code keepUntilTick}.
     */
    Attempts fail(Instant now, Instant expiresAt, long keepUntilTick, long disableAt) {
      for (;;) {
        View v = view();
        boolean live = v != null && v.liveAt(now);
        boolean wasDisabled = live && v.disabled;
        long failures = live ? v.failures + 1 : 1;
        boolean disabled = wasDisabled || failures >= disableAt;
        long keep = v == null ? keepUntilTick : Math.max(v.keepUntilTick, keepUntilTick);
        View next = new View(failures, now, disabled, expiresAt, keep);
        if (compareAndSet(v, next)) {
          return next.attempts();
        }
      }
    }

    /** Called inside the cache's atomic removal of this counter. */
    void retire() {
      set(RETIRED);
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
        .weigher((String key, Counter c) -> c.view().disabled ? 0 : 1)
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
    View v = c.view();
    if (v == RETIRED) {
      return 0;
    }
    if (v.disabled) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, v.keepUntilTick - currentTime);
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
    View v = c.view();
    return v != RETIRED && v.liveAt(now) ? v.attempts() : Attempts.NONE;
  }

  /** Up to this many keys, {@link #getAll} answers with a {@link SmallMap}. */
  private static final int SMALL = 8;

  /** Reads each key as {@link #get} does, into a map in the order given. */
  @Override
  public Map<String, Attempts> getAll(Collection<String> keys, Instant now) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(now, "now");
    if (keys.size() > SMALL) {
      Map<String, Attempts> out = new LinkedHashMap<>();
      for (String key : keys) {
        out.put(key, get(key, now));
      }
      return out;
    }
    String[] k = new String[keys.size()];
    Attempts[] v = new Attempts[k.length];
    int n = 0;
    for (String key : keys) {
      if (indexOf(k, n, key) < 0) {
        k[n] = key;
        v[n] = get(key, now);
        n++;
      }
    }
    return new SmallMap(k, v, n);
  }

  private static int indexOf(String[] keys, int n, Object key) {
    for (int i = 0; i < n; i++) {
      if (keys[i] == key || keys[i].equals(key)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The few records of one lockout check: a linear scan over at most a handful of keys, which the
   * caller looks up with the very strings it passed in, beats hashing them again into a
   * {@code Map.of} table. Immutable.
   */
  private static final class SmallMap extends AbstractMap<String, Attempts> {
    private final String[] keys;
    private final Attempts[] values;
    private final int size;

    SmallMap(String[] keys, Attempts[] values, int size) {
      this.keys = keys;
      this.values = values;
      this.size = size;
    }

    @Override
    public Attempts get(Object key) {
      int i = indexOf(keys, size, key);
      return i < 0 ? null : values[i];
    }

    @Override
    public boolean containsKey(Object key) {
      return indexOf(keys, size, key) >= 0;
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public Set<Map.Entry<String, Attempts>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Map.Entry<String, Attempts>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < size;
            }

            @Override
            public Map.Entry<String, Attempts> next() {
              if (next >= size) {
                throw new NoSuchElementException();
              }
              int i = next++;
              return new AbstractMap.SimpleImmutableEntry<>(keys[i], values[i]);
            }
          };
        }

        @Override
        public int size() {
          return size;
        }
      };
    }
  }

  @Override
  public Attempts recordFailure(String key, Instant now, Instant expiresAt, long disableAt) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(expiresAt, "expiresAt");
    long expiresAtTick = tick(base, expiresAt);
    Counter c = policy.getIfPresentQuietly(key);
    if (c != null) {
      Attempts a = c.tryFail(now, expiresAt, expiresAtTick, disableAt);
      if (a != null) {
        if ((a.failures() & (FAILURES_PER_RECORDED_ACCESS - 1)) == 0) {
          // Feed the size policy's frequency sketch, so that a key that keeps failing counts as
          // hot and is the last to be dropped when the store is full. Every eighth failure is
          // enough (the sketch counts to 15), and an access costs several times the lookup.
          cache.getIfPresent(key);
        }
        return a;
      }
    }
    // Keep the counter a quarter of the record's lifetime past expiresAt, so that the failures of
    // that quarter take the fast path.
    long lifetime = Math.max(0, expiresAtTick - tick(base, now));
    long keepUntilTick = expiresAtTick + Math.min(lifetime / 4, Long.MAX_VALUE / 4);
    Attempts[] out = new Attempts[1];
    map.compute(key, (k, old) -> {
      Counter counter = old == null || old.view() == RETIRED ? new Counter() : old;
      out[0] = counter.fail(now, expiresAt, keepUntilTick, disableAt);
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

  /**
   * Admits key by key, each by one compare-and-set that decides and counts together (or, on the
   * slow path, inside the cache's compute for the key). When a later key refuses, the keys already
   * counted are rolled back: exactly to their earlier view when nothing else touched them since,
   * otherwise by one count. Another attempt that ran into such a short-lived count was refused
   * when a sequential run might have admitted it, which {@link AttemptStore#reserve} allows; none
   * is admitted that a sequential run would refuse.
   */
  @Override
  public Admission reserve(List<Reservation> reservations) {
    List<Reservation> list = List.copyOf(reservations);
    Step[] steps = new Step[list.size()];
    for (int i = 0; i < steps.length; i++) {
      Reservation r = list.get(i);
      Step step = admit(r);
      if (step == null) {
        for (int j = i - 1; j >= 0; j--) {
          rollBack(list.get(j).key(), steps[j], list.get(j).rule().disableAt());
        }
        Attempts[] current = new Attempts[steps.length];
        for (int j = 0; j < current.length; j++) {
          current[j] = get(list.get(j).key(), list.get(j).at());
        }
        return new Admission(false, List.of(current));
      }
      steps[i] = step;
    }
    Attempts[] out = new Attempts[steps.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = steps[i].after.attempts();
    }
    return new Admission(true, List.of(out));
  }

  /** One key's admitted count: the counter and its views before and after. */
  private record Step(Counter counter, View before, View after) {}

  /** Counts the attempt on one key if its rule admits it; null when refused. */
  private Step admit(Reservation r) {
    Instant now = r.at();
    long expiresAtTick = tick(base, r.expiresAt());
    long disableAt = r.rule().disableAt();
    Counter c = policy.getIfPresentQuietly(r.key());
    if (c != null) {
      for (;;) {
        View v = c.view();
        if (v == RETIRED) {
          break;
        }
        boolean live = v.liveAt(now);
        if (live && !r.rule().admits(v.attempts(), now)) {
          return null;
        }
        long failures = live ? v.failures + 1 : 1;
        boolean disabled = failures >= disableAt;
        if (disabled || expiresAtTick > v.keepUntilTick) {
          break;
        }
        View next = new View(failures, now, false, r.expiresAt(), v.keepUntilTick);
        if (c.compareAndSet(v, next)) {
          return new Step(c, v, next);
        }
      }
    }
    long lifetime = Math.max(0, expiresAtTick - tick(base, now));
    long keepUntilTick = expiresAtTick + Math.min(lifetime / 4, Long.MAX_VALUE / 4);
    Step[] out = new Step[1];
    map.compute(r.key(), (k, old) -> {
      Counter counter = old == null || old.view() == RETIRED ? new Counter() : old;
      for (;;) {
        View v = counter.view();
        boolean live = v != null && v.liveAt(now);
        if (live && !r.rule().admits(v.attempts(), now)) {
          return counter; // refused; an existing counter (a new one is never refused)
        }
        long failures = live ? v.failures + 1 : 1;
        boolean disabled = (live && v.disabled) || failures >= disableAt;
        long keep = v == null ? keepUntilTick : Math.max(v.keepUntilTick, keepUntilTick);
        View next = new View(failures, now, disabled, r.expiresAt(), keep);
        if (counter.compareAndSet(v, next)) {
          out[0] = new Step(counter, v, next);
          return counter;
        }
      }
    });
    return out[0];
  }

  /**
   * Undoes one admitted count: back to the view before it when the counter still holds the view
   * the admission left, otherwise one count less. A change of the disabled flag (the cache's
   * weight) goes through the cache's compute.
   */
  private void rollBack(String key, Step step, long disableAt) {
    if (!step.after.disabled) {
      View restore = step.before != null ? step.before : dead(step.after.keepUntilTick);
      if (step.counter.compareAndSet(step.after, restore)) {
        return;
      }
    }
    takeBack(key, disableAt);
  }

  /** A view that reads as absent, kept by the cache until {@code keepUntilTick}. */
  private static View dead(long keepUntilTick) {
    return new View(0, Instant.EPOCH, false, Instant.EPOCH, keepUntilTick);
  }

  /** One count less on {@code key}, never below zero; re-enables it if that drops it below {@code disableAt}. */
  private void takeBack(String key, long disableAt) {
    Counter c = policy.getIfPresentQuietly(key);
    if (c == null) {
      return;
    }
    for (;;) {
      View v = c.view();
      if (v == RETIRED || v.failures == 0) {
        return;
      }
      boolean disabled = v.disabled && v.failures - 1 >= disableAt;
      if (disabled != v.disabled) {
        map.computeIfPresent(key, (k, counter) -> {
          for (;;) {
            View w = counter.view();
            if (w == RETIRED || w.failures == 0) {
              return counter;
            }
            View next = new View(w.failures - 1, Instant.ofEpochSecond(w.lastFailureSecond, w.lastFailureNano),
                w.disabled && w.failures - 1 >= disableAt, Instant.ofEpochSecond(w.expiresAtSecond, w.expiresAtNano),
                w.keepUntilTick);
            if (counter.compareAndSet(w, next)) {
              return counter;
            }
          }
        });
        return;
      }
      View next = v.failures == 1 && !v.disabled ? dead(v.keepUntilTick)
          : new View(v.failures - 1, Instant.ofEpochSecond(v.lastFailureSecond, v.lastFailureNano), v.disabled,
              Instant.ofEpochSecond(v.expiresAtSecond, v.expiresAtNano), v.keepUntilTick);
      if (c.compareAndSet(v, next)) {
        return;
      }
    }
  }

  @Override
  public void refund(List<Reservation> reservations) {
    for (Reservation r : reservations) {
      takeBack(r.key(), r.rule().disableAt());
    }
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
