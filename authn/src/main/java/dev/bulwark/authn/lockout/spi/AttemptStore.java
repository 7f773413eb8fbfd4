package dev.bulwark.authn.lockout.spi;

import dev.bulwark.authn.lockout.Attempts;
import dev.bulwark.authn.lockout.LockoutRule;
import dev.bulwark.authn.lockout.internal.InMemoryAttemptStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

  /**
   * The records of several keys, as {@link #get} would return them (a key without a record maps
   * to {@link Attempts#NONE}). Lockout reads up to three keys per check; a networked store should
   * override this to read them in one round trip. The default calls {@link #get} for each key.
   */
  default Map<String, Attempts> getAll(Collection<String> keys, Instant now) {
    Map<String, Attempts> out = new LinkedHashMap<>();
    for (String key : keys) {
      out.put(key, get(key, now));
    }
    return out;
  }

  /**
   * One failure to record with {@link #recordFailures}: the arguments of {@link #recordFailure}.
   *
   * @param key the lockout key
   * @param at the time of the failure
   * @param expiresAt when the record may be forgotten
   * @param disableAt the count that disables the key ({@link Long#MAX_VALUE} for never)
   */
  record Failure(String key, Instant at, Instant expiresAt, long disableAt) {
    public Failure {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /**
   * Records one failure on each of several distinct keys and returns the new records in the same
   * order. Each key's increment MUST be atomic as in {@link #recordFailure}; a networked store
   * should apply them in one round trip and one commit, taking the rows in a fixed key order so
   * that concurrent callers cannot deadlock. A store MAY reject a list that names a key twice with
   * {@link IllegalArgumentException}. The default calls {@link #recordFailure} for each.
   */
  default List<Attempts> recordFailures(List<Failure> failures) {
    List<Attempts> out = new ArrayList<>(failures.size());
    for (Failure f : failures) {
      out.add(recordFailure(f.key(), f.at(), f.expiresAt(), f.disableAt()));
    }
    return out;
  }

  /**
   * One attempt to count on one key before it is verified: the key, the time, how long the record
   * is kept, and the rule that decides whether the attempt may be made at all.
   *
   * @param key the lockout key
   * @param at the time of the attempt (stored as {@code lastFailureAt} when it is admitted)
   * @param expiresAt when the record may be forgotten
   * @param rule the key's rule: {@link LockoutRule#admits} and {@link LockoutRule#disableAt()}
   */
  record Reservation(String key, Instant at, Instant expiresAt, LockoutRule rule) {
    public Reservation {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(expiresAt, "expiresAt");
      Objects.requireNonNull(rule, "rule");
    }
  }

  /**
   * The answer to {@link #reserve}.
   *
   * @param admitted true when every key admitted the attempt and each now counts it
   * @param records per reservation, in the order given: the new records when admitted, the
   *     current ones (which say why not) when refused
   */
  record Admission(boolean admitted, List<Attempts> records) {
    public Admission {
      records = List.copyOf(records);
    }
  }

  /**
   * Counts one attempt on every key, before the attempt is verified, if and only if every key's
   * rule {@linkplain LockoutRule#admits admits} it at that moment; otherwise counts nothing. So N
   * concurrent attempts can never all pass a check that only one more should pass: each one is
   * counted, or refused, against the counts of those before it. The caller keeps the count when
   * the attempt turns out wrong, and gives it back with {@link #refund} when it was right.
   *
   * <p>Contract: the decision and the increments MUST be one atomic step with respect to every
   * other {@code reserve}, {@link #recordFailure} and {@link #refund} on the same keys, from any
   * thread or node sharing the store; a refused attempt changes no record. A store MAY refuse an
   * attempt that a strictly sequential execution would have admitted (for example when it lost a
   * race to create a record); it MUST NOT admit one that such an execution would have refused.
   *
   * <p>The default reads the records with {@link #getAll} and counts with {@link #recordFailures}
   * while holding this store instance's monitor: atomic within one JVM that shares the instance,
   * not across nodes. A store shared by several nodes MUST override it.
   */
  default Admission reserve(List<Reservation> reservations) {
    List<Reservation> list = List.copyOf(reservations);
    if (list.isEmpty()) {
      return new Admission(true, List.of());
    }
    List<String> keys = new ArrayList<>(list.size());
    for (Reservation r : list) {
      keys.add(r.key());
    }
    synchronized (this) {
      Map<String, Attempts> current = getAll(keys, list.get(0).at());
      List<Attempts> before = new ArrayList<>(list.size());
      boolean admitted = true;
      for (Reservation r : list) {
        Attempts a = current.getOrDefault(r.key(), Attempts.NONE);
        before.add(a);
        admitted &= r.rule().admits(a, r.at());
      }
      if (!admitted) {
        return new Admission(false, before);
      }
      List<Failure> failures = new ArrayList<>(list.size());
      for (Reservation r : list) {
        failures.add(new Failure(r.key(), r.at(), r.expiresAt(), r.rule().disableAt()));
      }
      return new Admission(true, recordFailures(failures));
    }
  }

  /**
   * Takes back one attempt that {@link #reserve} counted on each key, because it turned out
   * right: the count goes down by one (never below zero) and a key that this attempt disabled is
   * enabled again. Atomic per key like {@link #recordFailure}.
   *
   * <p>The default does nothing: the right attempt stays counted until the key is reset or
   * forgotten (the lockout resets the account and factor keys on a successful login anyway; a
   * source key then keeps one count too many). Stores SHOULD override it.
   */
  default void refund(List<Reservation> reservations) {}

  /** Deletes the record of {@code key}, disabled or not. */
  void reset(String key);

  /**
   * An in-process store (Caffeine), correct for one application node. Records expire on
   * {@code clock}; disabled records are kept until reset. Holds at most 500,000 keys that are
   * not disabled (see {@link #inMemory(InstantSource, long)}).
   */
  static AttemptStore inMemory(InstantSource clock) {
    return new InMemoryAttemptStore(clock);
  }

  /**
   * An in-process store holding at most {@code maxKeys} keys that are not disabled, so an attack
   * spread over many identifiers or addresses cannot exhaust the heap. When full, the keys with
   * the fewest recent failures are forgotten first (Caffeine's W-TinyLFU); disabled keys are never
   * forgotten for size. Size it above the number of keys that fail within the longest
   * {@code forgetAfter} in normal operation (each failed login touches up to three keys).
   *
   * @throws IllegalArgumentException if {@code maxKeys} is below 1
   */
  static AttemptStore inMemory(InstantSource clock, long maxKeys) {
    return new InMemoryAttemptStore(clock, maxKeys);
  }
}
