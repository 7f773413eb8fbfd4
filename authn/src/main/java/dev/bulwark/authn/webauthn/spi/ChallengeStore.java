package dev.bulwark.authn.webauthn.spi;

import java.time.InstantSource;
import java.time.Instant;
import java.util.Optional;

/**
 * Holds the state of a WebAuthn ceremony (the request with its challenge, as Yubico's JSON) between
 * start and finish. Bulwark ships {@code InMemoryChallengeStore} (one node) and
 * {@code JdbcChallengeStore} (several nodes behind a load balancer).
 *
 * <p>Contract: thread-safe; {@link #take} is atomic: of two concurrent calls for one id at most one
 * gets the value, and a taken or expired entry is never returned again (a challenge is used once).
 */
public interface ChallengeStore {

  /** Stores {@code requestJson} under {@code ceremonyId} until {@code expiresAt}. */
  void put(String ceremonyId, String requestJson, Instant expiresAt);

  /**
   * As {@link #put(String, String, Instant)}, for a ceremony started by the client at
   * {@code source} (its address). A store with a size bound SHOULD bound each source's share, so
   * that a flood of ceremonies from one source cannot push out other users' ceremonies; the
   * in-memory store does. The default ignores the source.
   */
  default void put(String ceremonyId, String requestJson, Instant expiresAt, Optional<String> source) {
    put(ceremonyId, requestJson, expiresAt);
  }

  /** Removes and returns the entry if it exists and {@code now} is before its expiry. */
  Optional<String> take(String ceremonyId, Instant now);

  /**
   * An in-process store for one application node (the same as
   * {@code new InMemoryChallengeStore(clock)}, with its per-source bound).
   */
  static ChallengeStore inMemory(InstantSource clock) {
    return new dev.bulwark.authn.webauthn.InMemoryChallengeStore(clock);
  }
}
