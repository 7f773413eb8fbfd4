package dev.bulwark.authn.session;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.SecurityEventNotRecordedException;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.flow.LoginResult;
import dev.bulwark.authn.session.internal.Events;
import dev.bulwark.authn.session.spi.SessionStore;
import dev.bulwark.authn.webauthn.WebAuthnLogin;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Creates, validates, rotates and revokes sessions.
 *
 * <pre>{@code
 * import dev.bulwark.authn.AssuranceLevel;
 * import dev.bulwark.authn.Factor;
 * import dev.bulwark.authn.SecurityEventListener;
 *
 * // Given: InstantSource clock, SecurityEventListener audit, Instant t (when the factors were verified)
 * // Given: String cookieValue (the token the browser sent back)
 * Sessions sessions = Sessions.builder(new InMemorySessionStore(clock))
 *     .policy(SessionPolicy.nist(AssuranceLevel.AAL2).withLimit(3, LimitAction.EVICT_OLDEST))
 *     .clock(clock).listener(audit).build();
 * IssuedSession s = sessions.create("alice", AssuranceLevel.AAL2, Map.of(Factor.PASSWORD, t, Factor.TOTP, t));
 * String cookie = s.token().reveal();                     // the only copy: set it as the session cookie
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
  private final EnumMap<AssuranceLevel, SessionPolicy> policies;
  private final InstantSource clock;
  private final SecurityEventListener listener;

  private Sessions(Builder b) {
    this.store = b.store;
    this.policies = new EnumMap<>(b.policies);
    this.clock = b.clock;
    this.listener = b.listener;
  }

  /**
   * Starts a builder over {@code store}. The default policies follow the level of each session:
   * {@code SessionPolicy.nist(level)} for AAL1, AAL2 and AAL3.
   */
  public static Builder builder(SessionStore store) {
    return new Builder(store);
  }

  /** Builder; {@link #build()} validates. */
  public static final class Builder {
    private final SessionStore store;
    private final EnumMap<AssuranceLevel, SessionPolicy> policies = new EnumMap<>(AssuranceLevel.class);
    private InstantSource clock = InstantSource.system();
    private SecurityEventListener listener = SecurityEventListener.NONE;

    private Builder(SessionStore store) {
      this.store = Objects.requireNonNull(store, "store");
      for (AssuranceLevel level : AssuranceLevel.values()) {
        policies.put(level, SessionPolicy.nist(level));
      }
    }

    /**
     * One policy for sessions of every level, in place of the per-level NIST presets. Prefer
     * {@link #policy(AssuranceLevel, SessionPolicy)}: an AAL3 session should not live as long
     * as an AAL1 one.
     */
    public Builder policy(SessionPolicy policy) {
      Objects.requireNonNull(policy, "policy");
      for (AssuranceLevel level : AssuranceLevel.values()) {
        policies.put(level, policy);
      }
      return this;
    }

    /**
     * The policy for sessions created at {@code level}, or stepped up to it (default
     * {@code SessionPolicy.nist(level)}).
     */
    public Builder policy(AssuranceLevel level, SessionPolicy policy) {
      policies.put(Objects.requireNonNull(level, "level"), Objects.requireNonNull(policy, "policy"));
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

  /** The policy of AAL2 sessions (see {@link #policy(AssuranceLevel)}). */
  public SessionPolicy policy() {
    return policy(AssuranceLevel.AAL2);
  }

  /** The policy sessions created or stepped up at {@code level} follow. */
  public SessionPolicy policy(AssuranceLevel level) {
    return policies.get(Objects.requireNonNull(level, "level"));
  }

  /**
   * Creates a session for a user who has just authenticated with {@code factors} (each with the
   * instant it was verified) at {@code level}.
   *
   * @throws SessionException reason {@code LIMIT_REACHED} when the user is at the limit and the
   *     policy is {@link LimitAction#REJECT_NEW}; nothing is stored then
   */
  public IssuedSession create(String userId, AssuranceLevel level, Map<Factor, Instant> factors) throws SessionException {
    return create(userId, level, factors, Set.of());
  }

  /**
   * Creates a session, as {@link #create(String, AssuranceLevel, Map)} does, that carries the
   * user's {@code authorities} (role or permission names the host resolved at login), so a
   * request reads them from {@link Session#authorities()} instead of asking the role store again.
   * They stay unchanged through {@link #rotate} and {@link #elevate}; when the user's roles change,
   * call {@link #revokeAll(String)} and the next login carries the new set (see the module
   * README, "Authorities").
   *
   * @throws IllegalArgumentException if {@code authorities} breaks {@link Session#checkAuthorities}
   *     (checked before anything is stored)
   * @throws SessionException reason {@code LIMIT_REACHED} as for the three-argument form
   */
  public IssuedSession create(String userId, AssuranceLevel level, Map<Factor, Instant> factors, Set<String> authorities)
      throws SessionException {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(factors, "factors");
    Set<String> checked = Session.checkAuthorities(authorities);
    if (factors.isEmpty()) {
      throw new IllegalArgumentException("a session needs at least one verified factor");
    }
    Instant now = clock.instant();
    SessionPolicy policy = policy(level);
    Instant authTime = factors.values().stream().max(Instant::compareTo).orElse(now);
    Session session = new Session(
        newId(), userId, level, factors, authTime, now, now, policy.idleTimeout(),
        now.plus(policy.absoluteTimeout()), Optional.empty(), Map.of(), checked);
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
   * Creates a session for a successful login: its account, level and each factor at the time the
   * flow verified it ({@link LoginResult#factorTimes()}), so step-up's recency checks count from
   * the real verification. The session carries no authorities; see
   * {@link #create(LoginResult, Set)}.
   *
   * @throws IllegalArgumentException if {@code login} did not succeed
   * @throws SessionException reason {@code LIMIT_REACHED} as for {@link #create(String, AssuranceLevel, Map)}
   */
  public IssuedSession create(LoginResult login) throws SessionException {
    return create(login, Set.of());
  }

  /**
   * Creates a session for a successful login, as {@link #create(LoginResult)} does, carrying the
   * user's {@code authorities} (see {@link #create(String, AssuranceLevel, Map, Set)}).
   *
   * @throws IllegalArgumentException if {@code login} did not succeed or the authorities are invalid
   * @throws SessionException reason {@code LIMIT_REACHED} as for {@link #create(String, AssuranceLevel, Map)}
   */
  public IssuedSession create(LoginResult login, Set<String> authorities) throws SessionException {
    Objects.requireNonNull(login, "login");
    if (!login.succeeded()) {
      throw new IllegalArgumentException("a session is created only for a successful login, not " + login.outcome());
    }
    return create(login.accountId().orElseThrow(), login.assuranceLevel().orElseThrow(), login.factorTimes(), authorities);
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
    SessionPolicy policy = policy(s.levelAt(now));
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
   * falls back to its base level on its own. The factor is recorded with the level it proved,
   * and from then on the session's idle timeout and absolute deadline are at most those of the
   * {@code level} policy (counted from now): a session stepped up to AAL3 idles out after AAL3's
   * 15 minutes, not its login level's hour.
   *
   * <p>A factor never counts for more than it can prove: a password AAL1, a TOTP or recovery code
   * or a federated login AAL2 ({@code level} is lowered to that, for the record and the
   * elevation). For a passkey prefer {@link #elevate(String, WebAuthnLogin)}, which takes the level
   * from the credential itself (a synced, backup-eligible passkey AAL2, a device-bound one AAL3)
   * instead of from the caller.
   */
  public IssuedSession elevate(String token, Factor factor, Instant verifiedAt, AssuranceLevel level) throws SessionException {
    Objects.requireNonNull(factor, "factor");
    Objects.requireNonNull(verifiedAt, "verifiedAt");
    Objects.requireNonNull(level, "level");
    AssuranceLevel ceiling = factor == Factor.PASSWORD ? AssuranceLevel.AAL1
        : factor == Factor.WEBAUTHN ? AssuranceLevel.AAL3 : AssuranceLevel.AAL2;
    return elevateProven(token, factor, verifiedAt, ceiling.satisfies(level) ? level : ceiling);
  }

  /**
   * Step-up with a passkey or security key: records {@link Factor#WEBAUTHN} at the level the
   * assertion proved ({@link WebAuthnLogin#suggestedLevel()}: AAL3 for a user-verified,
   * device-bound credential, AAL2 for a user-verified synced one, AAL1 without user
   * verification), verified now, and raises the session to that level as
   * {@link #elevate(String, Factor, Instant, AssuranceLevel)} does.
   */
  public IssuedSession elevate(String token, WebAuthnLogin proof) throws SessionException {
    Objects.requireNonNull(proof, "proof");
    return elevateProven(token, Factor.WEBAUTHN, clock.instant(), proof.suggestedLevel());
  }

  private IssuedSession elevateProven(String token, Factor factor, Instant verifiedAt, AssuranceLevel level)
      throws SessionException {
    TokenHash hash = parse(token);
    Instant now = clock.instant();
    Session s = live(hash, now);
    SessionPolicy levelPolicy = policy(level);
    Map<Factor, Instant> factors = new EnumMap<>(Factor.class);
    factors.putAll(s.factors());
    factors.put(factor, verifiedAt);
    Map<Factor, AssuranceLevel> levels = new EnumMap<>(Factor.class);
    for (Factor f : s.factors().keySet()) {
      levels.put(f, s.provenLevel(f).orElseThrow());
    }
    levels.put(factor, level);
    Optional<Session.Elevation> elevation = level.compareTo(s.assuranceLevel()) > 0
        ? Optional.of(new Session.Elevation(level, now.plus(policy(s.assuranceLevel()).elevationTimeout())))
        : s.elevation();
    Duration idle = s.idleTimeout();
    Instant absolute = s.absoluteDeadline();
    if (levelPolicy.idleTimeout().compareTo(idle) < 0) {
      idle = levelPolicy.idleTimeout();
    }
    Instant levelAbsolute = now.plus(levelPolicy.absoluteTimeout());
    if (levelAbsolute.isBefore(absolute)) {
      absolute = levelAbsolute;
    }
    Session elevated = new Session(s.id(), s.userId(), s.assuranceLevel(), factors, verifiedAt, s.createdAt(), now,
        idle, absolute, elevation, levels, s.authorities());
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

  /**
   * Revokes every session of {@code userId} (password change, account disabled, roles changed).
   * Returns how many. A rotation or step-up racing with it cannot keep a session alive: the store
   * serialises both on the user.
   */
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
