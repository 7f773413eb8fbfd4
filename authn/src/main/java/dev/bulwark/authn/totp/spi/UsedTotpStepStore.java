package dev.bulwark.authn.totp.spi;

import dev.bulwark.authn.totp.internal.InMemoryUsedTotpStepStore;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Remembers, per TOTP credential, the last time step whose code was accepted, so that no code is
 * accepted twice (RFC 6238 §5.2, NIST 800-63B §3.1.4.1, ASVS 6.5.1). When all application nodes
 * share one store (for example {@code JdbcUsedTotpStepStore} on one PostgreSQL), a code used on
 * one node is refused on every other.
 *
 * <p>Contract for implementers:
 * <ul>
 *   <li>{@link #markUsed} MUST be atomic per credential: of any number of concurrent calls with
 *       the same {@code credentialId} and {@code step}, at most one returns true, and a call
 *       returns true only if no step greater than or equal to {@code step} is recorded for the
 *       credential (steps only move forward).
 *   <li>An entry MAY be forgotten once {@code now} is at or after its {@code expiresAt}; until
 *       then it MUST be kept.
 *   <li>MUST be thread-safe. MUST NOT return null. Exceptions propagate to the verifier, which
 *       treats the code as not accepted (fail closed).
 * </ul>
 */
public interface UsedTotpStepStore {

  /**
   * Records {@code step} as used for {@code credentialId} if it is later than the last recorded
   * step (or none is recorded, or the record has expired).
   *
   * @param expiresAt when the record may be forgotten: after the last moment any verifier could
   *     still accept a code of {@code step}
   * @return true if recorded (the code may be accepted), false if this or a later step was
   *     already used (a replay)
   */
  boolean markUsed(String credentialId, long step, Instant expiresAt);

  /** Forgets every record of {@code credentialId}, e.g. when the credential is deleted. */
  void forget(String credentialId);

  /** An in-process store (Caffeine): correct for one node; use a shared store for several. */
  static UsedTotpStepStore inMemory(InstantSource clock) {
    return new InMemoryUsedTotpStepStore(clock);
  }
}
