package dev.bulwark.authn.lockout.spi;

import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.internal.InMemoryAttemptStore;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Counts failed authentication attempts per key, atomically. The lockout logic
 * ({@link dev.bulwark.authn.lockout.Lockout}) is built on these three operations, so a store for
 * Redis, another SQL database or a grid is a small class. Run {@code AttemptStoreContract} from
 * {@code bulwark-testkit} against it.
 *
 * <p>Contract for implementers:
 * <ul>
 *   <li>{@link #recordFailure} MUST be atomic per key: N concurrent calls on a key, from any
 *       number of threads or application nodes sharing the store, raise its count by exactly N.
 *   <li>A record whose {@code expiresAt} is at or before {@code now} is expired: treated as
 *       absent by {@link #get} and restarted at 1 by {@link #recordFailure}, unless it is
 *       {@code disabled}, which never expires.
 *   <li>{@code disabled} becomes true when a failure brings the count to {@code disableAt} or
 *       more, and stays true until {@link #reset}.
 *   <li>MUST be thread-safe; MUST NOT return null. Exceptions propagate; the lockout layer treats
 *       an unreadable store as locked (fail closed).
 * </ul>
 */
public interface AttemptStore {

  /** The current record of {@code key} ({@link Attempts#NONE} when there is none or it expired). */
  Attempts get(String key, Instant now);

  /**
   * Adds one failure to {@code key} and returns the new record.
   *
   * @param now the time of the failure, stored as {@code lastFailureAt}
   * @param expiresAt when the record may be forgotten if nothing else happens
   * @param disableAt the count at which the key becomes {@code disabled}; {@link Long#MAX_VALUE}
   *     for never
   */
  Attempts recordFailure(String key, Instant now, Instant expiresAt, long disableAt);

  /** Deletes the record of {@code key}, disabled or not. */
  void reset(String key);

  /**
   * An in-process store (Caffeine), correct for one application node. Records expire on
   * {@code clock}; disabled records are kept until reset.
   */
  static AttemptStore inMemory(InstantSource clock) {
    return new InMemoryAttemptStore(clock);
  }
}
