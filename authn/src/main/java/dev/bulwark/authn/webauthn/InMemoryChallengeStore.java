package dev.bulwark.authn.webauthn;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.bulwark.authn.webauthn.spi.ChallengeStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;

/**
 * The in-process {@link ChallengeStore}: a Caffeine cache whose entries expire on the store's
 * clock and are removed atomically when taken. Bounded to 100 000 open ceremonies so a flood of
 * "start" calls cannot exhaust memory. Thread-safe. One node only.
 */
public final class InMemoryChallengeStore implements ChallengeStore {

  private record Entry(String json, Instant expiresAt) {}

  private final Cache<String, Entry> entries;

  public InMemoryChallengeStore(InstantSource clock) {
    Objects.requireNonNull(clock, "clock");
    this.entries = Caffeine.newBuilder()
        .maximumSize(100_000)
        .ticker(() -> nanos(clock.instant()))
        .expireAfter(new Expiry<String, Entry>() {
          @Override
          public long expireAfterCreate(String key, Entry value, long currentTime) {
            return Math.max(0L, nanos(value.expiresAt()) - currentTime);
          }

          @Override
          public long expireAfterUpdate(String key, Entry value, long currentTime, long currentDuration) {
            return Math.max(0L, nanos(value.expiresAt()) - currentTime);
          }

          @Override
          public long expireAfterRead(String key, Entry value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  private static long nanos(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2;
    }
  }

  @Override
  public void put(String ceremonyId, String requestJson, Instant expiresAt) {
    entries.put(Objects.requireNonNull(ceremonyId, "ceremonyId"),
        new Entry(Objects.requireNonNull(requestJson, "requestJson"), Objects.requireNonNull(expiresAt, "expiresAt")));
  }

  @Override
  public Optional<String> take(String ceremonyId, Instant now) {
    Objects.requireNonNull(now, "now");
    Entry e = entries.asMap().remove(Objects.requireNonNull(ceremonyId, "ceremonyId"));
    if (e == null || !now.isBefore(e.expiresAt())) {
      return Optional.empty();
    }
    return Optional.of(e.json());
  }
}
