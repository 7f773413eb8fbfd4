package dev.bulwark.authn.session;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.SecurityEventNotRecordedException;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.session.internal.Events;
import dev.bulwark.authn.session.spi.SessionStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Creates, validates, rotates and revokes sessions.
 *
 * <pre>{@code
 * Sessions sessions = Sessions.builder(new InMemorySessionStore(clock))
 *     .policy(SessionPolicy.nist(AssuranceLevel.AAL2).withLimit(3, LimitAction.EVICT_OLDEST))
 *     .clock(clock).listener(auditLog::record).build();
 * IssuedSession s = sessions.create("alice", AssuranceLevel.AAL2, Map.of(Factor.PASSWORD, t, Factor.TOTP, t));
 * cookie(s.token().reveal());
 * Session current = sessions.validate(cookieValue);       // SessionException if malformed/expired/unknown
 * }</pre>
 *
 * <p>Guarantees: tokens have 256 bits of entropy and only their SHA-256 is stored; a session is
 * never returned by {@link #validate} at or after its idle or absolute deadline; the concurrent
 * limit is enforced atomically by the store; {@link #rotate} and {@link #elevate} issue a new token
 * and kill the old one (session fixation defence, ASVS 5 7.2.4).
 *
 * <p>Thread-safe. Events: {@code session_created}, {@code session_limit_evicted},
 * {@code session_limit_rejected}, {@code session_renewed}, {@code session_revoked},
 * {@code session_expired}, {@code session_use_after_expire}, {@code authn_token_invalid}.
 */
public final class Sessions {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final SessionStore store;
  private final SessionPolicy policy;
  private final InstantSource clock;
  private final SecurityEventListener listener;

  private Sessions(Builder b) {
    this.store = b.store;
    this.policy = b.policy;
    this.clock = b.clock;
    this.listener = b.listener;
  }

  /** Starts a builder over {@code store}; the default policy is {@code SessionPolicy.nist(AAL2)}. */
  public static Builder builder(SessionStore store) {
    return new Builder(store);
  }

  /** Builder; {@link #build()} validates. */
  public static final class Builder {
    private final SessionStore store;
    private SessionPolicy policy = SessionPolicy.nist(AssuranceLevel.AAL2);
    private InstantSource clock = InstantSource.system();
    private SecurityEventListener listener = SecurityEventListener.NONE;

    private Builder(SessionStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    public Builder policy(SessionPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder listener(SecurityEventListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Sessions build() {
      return new Sessions(this);
    }
  }

  public SessionPolicy policy() {
    return policy;
  }

  /**
   * Creates a session for a user who has just authenticated with {@code factors} (each with the
   * instant it was verified) at {@code level}.
   *
   * @throws SessionException reason {@code LIMIT_REACHED} when the user is at the limit and the
   *     policy is {@link LimitAction#REJECT_NEW}; nothing is stored then
   */
  public IssuedSession create(String userId, AssuranceLevel level, Map<Factor, Instant> factors) throws SessionException {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(factors, "factors");
    if (factors.isEmpty()) {
      throw new IllegalArgumentException("a session needs at least one verified factor");
    }
    Instant now = clock.instant();
    Instant authTime = factors.values().stream().max(Instant::compareTo).orElse(now);
    Session session = new Session(
        newId(), userId, level, factors, authTime, now, now, policy.idleTimeout(),
        now.plus(policy.absoluteTimeout()), Optional.empty());
    SessionToken token = SessionToken.generate();
    SessionStore.CreateResult result =
        store.create(token.hash(), session, policy.maxSessionsPerUser(), policy.onLimit(), now);
    if (!result.created()) {
      token.destroy();
      Events.emit(listener, SecurityEventType.SESSION_LIMIT_REJECTED, userId, now,
          Map.of("limit", Integer.toString(policy.maxSessionsPerUser())));
      throw new SessionException(SessionException.Reason.LIMIT_REACHED,
          "the user already has " + policy.maxSessionsPerUser() + " live sessions");
    }
    for (Session gone : result.evicted()) {
      Events.emit(listener, SecurityEventType.SESSION_LIMIT_EVICTED, userId, now, Map.of("session_id", gone.id()));
    }
    try {
      Events.emit(listener, SecurityEventType.SESSION_CREATED, userId, now,
          Map.of("session_id", session.id(), "aal", level.name()));
    } catch (SecurityEventNotRecordedException refused) {
      // Fail-closed auditing: a session nobody can account for is not handed out.
      store.delete(token.hash());
      token.destroy();
      throw refused;
    }
    return new IssuedSession(token, session, result.evicted());
  }

  /**
   * Returns the live session for {@code token} and records the use (idle timer restarts).
   *
   * @throws SessionException {@code MALFORMED_TOKEN}, {@code UNKNOWN}, {@code IDLE_TIMEOUT} or
   *     {@code ABSOLUTE_TIMEOUT}; an expired session is deleted
   */
  public Session validate(String token) throws SessionException {
    TokenHash hash = parse(token);
    Instant now = clock.instant();
    Session s = live(hash, now);
    if (!now.isBefore(s.lastSeenAt().plus(policy.touchInterval())) || policy.touchInterval().isZero()) {
      store.touch(hash, now);
      return s.seenAt(now);
    }
    return s;
  }

  /**
   * Issues a new token for the session behind {@code token} and kills the old one, keeping the
   * session's id, creation time and deadlines. Call it whenever the session's privileges change.
   */
  public IssuedSession rotate(String token) throws SessionException {
    TokenHash hash = parse(token);
    Instant now = clock.instant();
    Session s = live(hash, now);
    return replace(hash, s.seenAt(now), now, "rotate");
  }

  /**
   * Records a fresh verification of {@code factor} (step-up), raises the session to {@code level}
   * for the policy's elevation timeout, and rotates the token. After the elevation ends the session
   * falls back to its base level on its own.
   */
  public IssuedSession elevate(String token, Factor factor, Instant verifiedAt, AssuranceLevel level) throws SessionException {
    Objects.requireNonNull(factor, "factor");
    Objects.requireNonNull(verifiedAt, "verifiedAt");
    Objects.requireNonNull(level, "level");
    TokenHash hash = parse(token);
    Instant now = clock.instant();
    Session s = live(hash, now);
    Map<Factor, Instant> factors = new EnumMap<>(Factor.class);
    factors.putAll(s.factors());
    factors.put(factor, verifiedAt);
    Optional<Session.Elevation> elevation = level.compareTo(s.assuranceLevel()) > 0
        ? Optional.of(new Session.Elevation(level, now.plus(policy.elevationTimeout())))
        : s.elevation();
    Session elevated = new Session(s.id(), s.userId(), s.assuranceLevel(), factors, verifiedAt, s.createdAt(), now,
        s.idleTimeout(), s.absoluteDeadline(), elevation);
    return replace(hash, elevated, now, "elevate");
  }

  private IssuedSession replace(TokenHash oldHash, Session next, Instant now, String why) throws SessionException {
    SessionToken fresh = SessionToken.generate();
    if (!store.replace(oldHash, fresh.hash(), next)) {
      fresh.destroy();
      throw new SessionException(SessionException.Reason.UNKNOWN, "session was revoked or rotated concurrently");
    }
    Events.emit(listener, SecurityEventType.SESSION_RENEWED, next.userId(), now,
        Map.of("session_id", next.id(), "why", why));
    return new IssuedSession(fresh, next, List.of());
  }

  /** Revokes the session behind {@code token} (logout). True if it existed. Malformed tokens: false. */
  public boolean revoke(String token) {
    TokenHash hash;
    try {
      hash = SessionToken.parse(token).hash();
    } catch (SessionException e) {
      return false;
    }
    Optional<Session> gone = store.delete(hash);
    gone.ifPresent(s -> Events.emit(listener, SecurityEventType.SESSION_REVOKED, s.userId(), clock.instant(),
        Map.of("session_id", s.id(), "scope", "one")));
    return gone.isPresent();
  }

  /** Revokes one of {@code userId}'s sessions by its public id (e.g. from a "your sessions" page). */
  public boolean revoke(String userId, String sessionId) {
    Optional<Session> gone = store.deleteById(userId, sessionId);
    gone.ifPresent(s -> Events.emit(listener, SecurityEventType.SESSION_REVOKED, s.userId(), clock.instant(),
        Map.of("session_id", s.id(), "scope", "one")));
    return gone.isPresent();
  }

  /** Revokes every session of {@code userId} (password change, account disabled). Returns how many. */
  public int revokeAll(String userId) {
    List<Session> gone = store.deleteAll(userId);
    Events.emit(listener, SecurityEventType.SESSION_REVOKED, userId, clock.instant(),
        Map.of("scope", "all", "count", Integer.toString(gone.size())));
    return gone.size();
  }

  /** The live sessions of {@code userId}, oldest first. */
  public List<Session> list(String userId) {
    return store.list(Objects.requireNonNull(userId, "userId"), clock.instant());
  }

  private TokenHash parse(String token) throws SessionException {
    try {
      return SessionToken.parse(token).hash();
    } catch (SessionException e) {
      Events.emit(listener, SecurityEventType.TOKEN_INVALID, null, clock.instant(), Map.of("kind", "session_token"));
      throw e;
    }
  }

  private Session live(TokenHash hash, Instant now) throws SessionException {
    Optional<Session> found = store.find(hash);
    if (found.isEmpty()) {
      throw new SessionException(SessionException.Reason.UNKNOWN, "no such session");
    }
    Session s = found.get();
    if (!now.isBefore(s.absoluteDeadline())) {
      expire(hash, s, now, "absolute");
      throw new SessionException(SessionException.Reason.ABSOLUTE_TIMEOUT, "session passed its absolute timeout");
    }
    if (!now.isBefore(s.lastSeenAt().plus(s.idleTimeout()))) {
      expire(hash, s, now, "idle");
      throw new SessionException(SessionException.Reason.IDLE_TIMEOUT, "session passed its idle timeout");
    }
    return s;
  }

  private void expire(TokenHash hash, Session s, Instant now, String which) {
    store.delete(hash);
    Events.emit(listener, SecurityEventType.SESSION_USE_AFTER_EXPIRE, s.userId(), now,
        Map.of("session_id", s.id(), "timeout", which));
  }

  private static String newId() {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }
}
