package dev.bulwark.sso.spi;

import dev.bulwark.sso.InMemoryReplayCache;
import java.time.Clock;
import java.time.Instant;

/**
 * Remembers which assertion IDs (or ID-token {@code jti}/nonces) have been used, until they expire.
 *
 * <p>Implementations MUST be thread-safe and MUST be atomic across every node that shares them: of
 * any number of concurrent calls with the same issuer and ID, exactly one returns true. They MAY
 * forget an entry after {@code expiresAt}. An exception thrown here refuses the sign-in (fail
 * closed); a store failure should be a {@link dev.bulwark.sso.SsoStoreException}.
 */
@FunctionalInterface
public interface ReplayCache {

  /**
   * Records {@code id} from {@code issuer} as used until {@code expiresAt}.
   *
   * @return true the first time, false if it was already recorded and has not expired
   */
  boolean firstUse(String issuer, String id, Instant expiresAt);

  /** A cache for one process on the system clock, with room for one million live entries. */
  static ReplayCache inMemory() {
    return new InMemoryReplayCache();
  }

  /**
   * A cache for one process on {@code clock}, holding at most {@code maxEntries} live entries
   * (when full it refuses new ones with {@link dev.bulwark.sso.SsoStoreException}).
   */
  static ReplayCache inMemory(Clock clock, int maxEntries) {
    return new InMemoryReplayCache(clock, maxEntries);
  }
}
