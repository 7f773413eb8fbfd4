package dev.bulwark.sso;

import dev.bulwark.sso.spi.ReplayCache;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ReplayCache} for one process. Entries are dropped after they expire; the cache holds at
 * most {@code maxEntries} live entries and, when full, refuses new ones (a replay cache that
 * forgets unexpired entries would let an attacker replay by flooding it). Thread-safe.
 */
public final class InMemoryReplayCache implements ReplayCache {

  private final Map<String, Instant> seen = new ConcurrentHashMap<>();
  private final Clock clock;
  private final int maxEntries;

  public InMemoryReplayCache(Clock clock, int maxEntries) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.maxEntries = maxEntries;
  }

  /** A cache on the system clock with room for one million live entries. */
  public InMemoryReplayCache() {
    this(Clock.systemUTC(), 1_000_000);
  }

  @Override
  public boolean firstUse(String issuer, String id, Instant expiresAt) {
    Instant now = clock.instant();
    String key = issuer.length() + ":" + issuer + id;
    if (seen.size() >= maxEntries) {
      seen.values().removeIf(exp -> !exp.isAfter(now));
      if (seen.size() >= maxEntries) {
        throw new SsoStoreException("in-memory replay cache full (" + maxEntries + " live entries): refusing rather than forgetting");
      }
    }
    boolean[] first = {false};
    seen.compute(
        key,
        (k, old) -> {
          if (old == null || !old.isAfter(now)) {
            first[0] = true;
            return expiresAt;
          }
          return old;
        });
    return first[0];
  }
}
