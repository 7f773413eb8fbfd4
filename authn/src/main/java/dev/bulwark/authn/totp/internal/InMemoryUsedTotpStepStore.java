package dev.bulwark.authn.totp.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/** {@link UsedTotpStepStore} in a Caffeine cache whose entries expire on the given clock. */
public final class InMemoryUsedTotpStepStore implements UsedTotpStepStore {

  private record Used(long step, Instant expiresAt) {}

  private final InstantSource clock;
  private final Cache<String, Used> cache;

  public InMemoryUsedTotpStepStore(InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.cache = Caffeine.newBuilder()
        .ticker(() -> nanos(clock.instant()))
        .expireAfter(new Expiry<String, Used>() {
          @Override
          public long expireAfterCreate(String key, Used value, long currentTime) {
            return Math.max(0, nanos(value.expiresAt()) - currentTime);
          }

          @Override
          public long expireAfterUpdate(String key, Used value, long currentTime, long currentDuration) {
            return Math.max(0, nanos(value.expiresAt()) - currentTime);
          }

          @Override
          public long expireAfterRead(String key, Used value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  private static long nanos(Instant t) {
    try {
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (ArithmeticException e) {
      return t.getEpochSecond() < 0 ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
    }
  }

  @Override
  public boolean markUsed(String credentialId, long step, Instant expiresAt) {
    Objects.requireNonNull(credentialId, "credentialId");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Instant now = clock.instant();
    boolean[] accepted = {false};
    cache.asMap().compute(credentialId, (k, old) -> {
      if (old == null || !old.expiresAt().isAfter(now) || old.step() < step) {
        accepted[0] = true;
        return new Used(step, expiresAt);
      }
      return old;
    });
    return accepted[0];
  }

  @Override
  public void forget(String credentialId) {
    cache.invalidate(Objects.requireNonNull(credentialId, "credentialId"));
  }

  @Override
  public String toString() {
    return "InMemoryUsedTotpStepStore[" + cache.estimatedSize() + " credentials]";
  }
}
