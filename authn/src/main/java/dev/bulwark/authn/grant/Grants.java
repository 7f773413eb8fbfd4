package dev.bulwark.authn.grant;

import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.grant.spi.GrantStore;
import dev.bulwark.authn.session.internal.Events;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Just-in-time access: nobody holds standing privileges; they {@link #request} a grant with a
 * reason, someone else {@link #approve approves} or {@link #deny denies} it, and the access ends on
 * its own when the window closes (or earlier by {@link #revoke}).
 *
 * <pre>{@code
 * // Given: InstantSource clock, SecurityEventListener audit
 * Grants grants = new Grants(new InMemoryGrantStore(), GrantPolicy.defaults(), clock, audit);
 * Grant g = grants.request("bob", "role:db-admin", "INC-4711 restore", Duration.ofHours(1));
 * grants.approve(g.id(), "alice");                       // GrantException SELF_APPROVAL if "bob"
 * grants.mayNow("bob", "role:db-admin");                   // true for one hour, then false
 * }</pre>
 *
 * <p>Guarantees: a grant is never reported active outside {@code [approval, approval + duration)}
 * (the check is against the clock on every query, not only when {@link #expireDue()} runs); the
 * subject can never approve their own request; two racing decisions produce exactly one. Every step
 * emits an event ({@code authz_grant_requested|approved|denied|revoked|expired}). Thread-safe.
 */
public final class Grants {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final GrantStore store;
  private final GrantPolicy policy;
  private final InstantSource clock;
  private final SecurityEventListener listener;

  public Grants(GrantStore store, GrantPolicy policy, InstantSource clock, SecurityEventListener listener) {
    this.store = Objects.requireNonNull(store, "store");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Files a request by {@code subject} for {@code target} lasting {@code duration} once approved.
   *
   * @throws GrantException {@code DURATION_TOO_LONG} beyond the policy maximum
   */
  public Grant request(String subject, String target, String justification, Duration duration) throws GrantException {
    Objects.requireNonNull(duration, "duration");
    if (duration.compareTo(policy.maxDuration()) > 0) {
      throw new GrantException(GrantException.Reason.DURATION_TOO_LONG,
          "requested " + duration + " exceeds the policy maximum of " + policy.maxDuration());
    }
    Instant now = clock.instant();
    Grant g = new Grant(newId(), subject, target, justification, duration, GrantState.PENDING, now,
        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    store.insert(g);
    emit(SecurityEventType.GRANT_REQUESTED, g, subject, now);
    return g;
  }

  /**
   * Approves a pending grant; the access window starts now.
   *
   * @throws GrantException {@code SELF_APPROVAL}, {@code UNKNOWN}, {@code WRONG_STATE} (already
   *     decided, or the request waited too long and has expired) or {@code CONFLICT}
   */
  public Grant approve(String grantId, String approver) throws GrantException {
    Objects.requireNonNull(approver, "approver");
    Instant now = clock.instant();
    Grant g = pending(grantId, approver, now);
    Grant next = g.with(GrantState.APPROVED, Optional.of(approver), Optional.of(now), Optional.of(now),
        Optional.of(now.plus(g.duration())));
    commit(g, next);
    emit(SecurityEventType.GRANT_APPROVED, next, approver, now);
    return next;
  }

  /** Denies a pending grant. Same failures as {@link #approve}. */
  public Grant deny(String grantId, String approver) throws GrantException {
    Objects.requireNonNull(approver, "approver");
    Instant now = clock.instant();
    Grant g = pending(grantId, approver, now);
    Grant next = g.with(GrantState.DENIED, Optional.of(approver), Optional.of(now), Optional.empty(), Optional.empty());
    commit(g, next);
    emit(SecurityEventType.GRANT_DENIED, next, approver, now);
    return next;
  }

  /**
   * Ends a pending or approved grant now. Anyone the host authorises may revoke, including the
   * subject.
   *
   * @throws GrantException {@code UNKNOWN}, {@code WRONG_STATE} (already final) or {@code CONFLICT}
   */
  public Grant revoke(String grantId, String by) throws GrantException {
    Objects.requireNonNull(by, "by");
    Instant now = clock.instant();
    Grant g = find(grantId);
    if (g.state().isFinal()) {
      throw new GrantException(GrantException.Reason.WRONG_STATE, "grant is already " + g.state());
    }
    Optional<Instant> until = g.activeUntil().map(u -> u.isBefore(now) ? u : now);
    Grant next = g.with(GrantState.REVOKED, Optional.of(by), Optional.of(now), g.activeFrom(), until);
    commit(g, next);
    emit(SecurityEventType.GRANT_REVOKED, next, by, now);
    return next;
  }

  /** The grant with {@code grantId}, in whatever state. */
  public Optional<Grant> lookup(String grantId) {
    return store.find(Objects.requireNonNull(grantId, "grantId"));
  }

  /** The grants that give {@code subject} access right now. */
  public List<Grant> activeFor(String subject) {
    Instant now = clock.instant();
    return store.forSubject(Objects.requireNonNull(subject, "subject")).stream()
        .filter(g -> g.isActiveAt(now))
        .collect(Collectors.toList());
  }

  /** "What may {@code subject} do now?": the targets of its active grants. */
  public Set<String> targetsFor(String subject) {
    return activeFor(subject).stream().map(Grant::target).collect(Collectors.toCollection(TreeSet::new));
  }

  /** True when {@code subject} has an active grant for {@code target} right now. */
  public boolean mayNow(String subject, String target) {
    Objects.requireNonNull(target, "target");
    return activeFor(subject).stream().anyMatch(g -> g.target().equals(target));
  }

  /**
   * Moves grants whose window ended, and requests left undecided past the pending timeout, to
   * EXPIRED, emitting {@code authz_grant_expired} for each. Run it periodically (any node may;
   * the state change is a compare-and-set). Access checks do not depend on it. Returns how many.
   */
  public int expireDue() {
    Instant now = clock.instant();
    int n = 0;
    List<Grant> due;
    do {
      due = store.due(now, now.minus(policy.pendingTimeout()), 500);
      for (Grant g : due) {
        Grant next = g.with(GrantState.EXPIRED, Optional.empty(), Optional.of(now), g.activeFrom(), g.activeUntil());
        if (store.transition(g.state(), next)) {
          emit(SecurityEventType.GRANT_EXPIRED, next, null, now);
          n++;
        }
      }
    } while (due.size() == 500);
    return n;
  }

  private Grant find(String grantId) throws GrantException {
    Objects.requireNonNull(grantId, "grantId");
    return store.find(grantId)
        .orElseThrow(() -> new GrantException(GrantException.Reason.UNKNOWN, "no such grant"));
  }

  private Grant pending(String grantId, String approver, Instant now) throws GrantException {
    Grant g = find(grantId);
    if (g.subject().equals(approver)) {
      emit(SecurityEventType.GRANT_DENIED, g, approver, now, Map.of("refused", "self_approval"));
      throw new GrantException(GrantException.Reason.SELF_APPROVAL, "the subject of a grant cannot decide on it");
    }
    if (g.state() != GrantState.PENDING) {
      throw new GrantException(GrantException.Reason.WRONG_STATE, "grant is " + g.state() + ", not PENDING");
    }
    if (!now.isBefore(g.requestedAt().plus(policy.pendingTimeout()))) {
      Grant expired = g.with(GrantState.EXPIRED, Optional.empty(), Optional.of(now), Optional.empty(), Optional.empty());
      if (store.transition(GrantState.PENDING, expired)) {
        emit(SecurityEventType.GRANT_EXPIRED, expired, null, now);
      }
      throw new GrantException(GrantException.Reason.WRONG_STATE, "the request expired before a decision");
    }
    return g;
  }

  private void commit(Grant from, Grant to) throws GrantException {
    if (!store.transition(from.state(), to)) {
      throw new GrantException(GrantException.Reason.CONFLICT, "another decision on this grant was made first");
    }
  }

  private void emit(String type, Grant g, String actor, Instant now) {
    emit(type, g, actor, now, Map.of());
  }

  private void emit(String type, Grant g, String actor, Instant now, Map<String, String> extra) {
    java.util.TreeMap<String, String> d = new java.util.TreeMap<>(extra);
    d.put("grant_id", g.id());
    d.put("target", g.target());
    d.put("state", g.state().name());
    if (actor != null) {
      d.put("actor", actor);
    }
    g.activeUntil().ifPresent(u -> d.put("active_until", u.toString()));
    Events.emit(listener, type, g.subject(), now, d);
  }

  private static String newId() {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }
}
