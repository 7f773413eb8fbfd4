package dev.bulwark.authn.totp.spi;

import dev.bulwark.authn.totp.PendingTotpEnrollment;
import dev.bulwark.authn.totp.internal.InMemoryPendingTotpEnrollmentStore;
import java.time.Instant;
import java.util.Optional;

/**
 * Where TOTP enrolments wait between the page that shows the QR code and the request that
 * confirms it with a first code, at most one per account. Share one store between application
 * nodes (for example {@code JdbcPendingTotpEnrollmentStore} on one PostgreSQL) and any node can
 * confirm what another began. The seed is held only as the host's {@link SeedProtector} returned
 * it.
 *
 * <p>Contract for implementers ({@code dev.bulwark.testkit.authn.totp.PendingTotpEnrollmentStoreContract}
 * checks it):
 * <ul>
 *   <li>An enrolment is live while {@code now} is before its {@code expiresAt}; {@link #find},
 *       {@link #reserveAttempt} and {@link #complete} treat any other as absent, so an expired
 *       enrolment is never confirmed.
 *   <li>{@link #reserveAttempt} MUST count atomically: of any number of concurrent calls, at
 *       most {@code maxAttempts} in the enrolment's life succeed.
 *   <li>{@link #complete} MUST be atomic: of any number of concurrent calls for one enrolment, at
 *       most one returns true, so an enrolment is confirmed once.
 *   <li>MUST be thread-safe (and safe across nodes when shared). MUST NOT return null.
 *       Infrastructure failures propagate as unchecked exceptions ({@code AuthnStoreException}
 *       for Bulwark's stores); the enrolment is then not confirmed.
 * </ul>
 */
public interface PendingTotpEnrollmentStore {

  /** Stores {@code enrollment}, replacing any pending enrolment of the same account. */
  void save(PendingTotpEnrollment enrollment);

  /** The account's pending enrolment if it is live at {@code now}. */
  Optional<PendingTotpEnrollment> find(String accountId, Instant now);

  /**
   * Counts one confirmation attempt: if the account's enrolment is live at {@code now} and has had
   * fewer than {@code maxAttempts}, adds one and returns it with the new count; otherwise changes
   * nothing and returns empty.
   */
  Optional<PendingTotpEnrollment> reserveAttempt(String accountId, Instant now, int maxAttempts);

  /**
   * Removes the account's pending enrolment if it is still the one with {@code credentialId} and
   * live at {@code now}. True for exactly one caller; false if it was completed, replaced, deleted
   * or expired.
   */
  boolean complete(String accountId, String credentialId, Instant now);

  /** Removes the account's pending enrolment (cancelled); true if there was one, live or not. */
  boolean delete(String accountId);

  /** Removes enrolments that expired at or before {@code now}; returns how many. */
  int purgeExpired(Instant now);

  /** An in-process store, for tests and single-node hosts. */
  static PendingTotpEnrollmentStore inMemory() {
    return new InMemoryPendingTotpEnrollmentStore();
  }
}
