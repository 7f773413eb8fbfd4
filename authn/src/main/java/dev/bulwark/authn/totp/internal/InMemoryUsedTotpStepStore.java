package dev.bulwark.authn.totp.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import java.time.Duration;
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
    // Caffeine's ticker counts from the store's creation, so no instant overflows a long of nanos.
    Instant base = clock.instant();
    this.cache = Caffeine.newBuilder()
        .ticker(() -> nanos(Duration.between(base, clock.instant())))
        .expireAfter(new Expiry<String, Used>() {
          @Override
          public long expireAfterCreate(String key, Used value, long currentTime) {
            return Math.max(0, nanos(Duration.between(clock.instant(), value.expiresAt())));
          }

          @Override
          public long expireAfterUpdate(String key, Used value, long currentTime, long currentDuration) {
            return Math.max(0, nanos(Duration.between(clock.instant(), value.expiresAt())));
          }

          @Override
          public long expireAfterRead(String key, Used value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  /** Nanoseconds of {@code d}, saturating instead of overflowing (instants may be centuries apart). */
  private static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return d.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE / 2;
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
