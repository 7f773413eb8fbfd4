package dev.bulwark.authn.lockout.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.spi.AttemptStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * {@link AttemptStore} in a Caffeine cache. Atomic per key through {@code asMap().compute}.
 * Entries leave the cache when they expire on the store's clock; disabled entries never expire.
 * There is deliberately no size bound: evicting a lockout record would hand an attacker a reset.
 */
public final class InMemoryAttemptStore implements AttemptStore {

  private record Entry(long failures, Instant lastFailureAt, Instant expiresAt, boolean disabled) {}

  private final Cache<String, Entry> cache;

  public InMemoryAttemptStore(InstantSource clock) {
    Objects.requireNonNull(clock, "clock");
    // Caffeine's ticker counts from the store's creation, so no instant overflows a long of nanos.
    Instant base = clock.instant();
    this.cache = Caffeine.newBuilder()
        .ticker(() -> nanos(Duration.between(base, clock.instant())))
        .expireAfter(new Expiry<String, Entry>() {
          @Override
          public long expireAfterCreate(String key, Entry e, long currentTime) {
            return ttl(e, clock.instant());
          }

          @Override
          public long expireAfterUpdate(String key, Entry e, long currentTime, long currentDuration) {
            return ttl(e, clock.instant());
          }

          @Override
          public long expireAfterRead(String key, Entry e, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  private static long ttl(Entry e, Instant now) {
    if (e.disabled()) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, nanos(Duration.between(now, e.expiresAt())));
  }

  /** Nanoseconds of {@code d}, saturating instead of overflowing (instants may be centuries apart). */
  private static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
    }
  }

  private static boolean live(Entry e, Instant now) {
    return e != null && (e.disabled() || e.expiresAt().isAfter(now));
  }

  @Override
  public Attempts get(String key, Instant now) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(now, "now");
    Entry e = cache.getIfPresent(key);
    return live(e, now) ? new Attempts(e.failures(), e.lastFailureAt(), e.disabled()) : Attempts.NONE;
  }

  @Override
  public Attempts recordFailure(String key, Instant now, Instant expiresAt, long disableAt) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Entry e = cache.asMap().compute(key, (k, old) -> {
      long failures = live(old, now) ? old.failures() + 1 : 1;
      boolean disabled = (live(old, now) && old.disabled()) || failures >= disableAt;
      return new Entry(failures, now, expiresAt, disabled);
    });
    return new Attempts(e.failures(), e.lastFailureAt(), e.disabled());
  }

  @Override
  public void reset(String key) {
    cache.invalidate(Objects.requireNonNull(key, "key"));
  }

  @Override
  public String toString() {
    return "InMemoryAttemptStore[" + cache.estimatedSize() + " keys]";
  }
}
