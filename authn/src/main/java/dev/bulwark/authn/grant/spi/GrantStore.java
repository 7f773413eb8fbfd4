package dev.bulwark.authn.grant.spi;

import dev.bulwark.authn.grant.Grant;
import dev.bulwark.authn.grant.GrantState;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where grants live. Bulwark ships {@code InMemoryGrantStore} and {@code JdbcGrantStore}; run
 * {@code dev.bulwark.testkit.authn.grant.GrantStoreContract} against your own.
 *
 * <p>Contract: thread-safe (and safe across nodes for shared stores); never returns null;
 * {@link #transition} is a compare-and-set so two approvers racing on one grant produce exactly one
 * decision.
 */
public interface GrantStore {

  /** Stores a new grant. Throws {@link IllegalArgumentException} if its id already exists. */
  void insert(Grant grant);

  /** The grant with {@code id}. */
  Optional<Grant> find(String id);

  /**
   * Replaces the grant {@code next.id()} with {@code next} only if its stored state is
   * {@code expected}. Returns false (changing nothing) otherwise or if it does not exist.
   */
  boolean transition(GrantState expected, Grant next);

  /** All grants of {@code subject}, oldest request first. */
  List<Grant> forSubject(String subject);

  /**
   * Up to {@code limit} grants that must move to EXPIRED at {@code now}: APPROVED ones whose
   * window ended ({@code activeUntil <= now}) and PENDING ones requested at or before
   * {@code pendingRequestedBefore}.
   */
  List<Grant> due(Instant now, Instant pendingRequestedBefore, int limit);

  /** An in-process store for one application node (the same as {@code new InMemoryGrantStore()}). */
  static GrantStore inMemory() {
    return new dev.bulwark.authn.grant.InMemoryGrantStore();
  }
}
