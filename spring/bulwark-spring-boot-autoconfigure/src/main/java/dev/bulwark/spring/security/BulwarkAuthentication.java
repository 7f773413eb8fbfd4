package dev.bulwark.spring.security;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.Session;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A principal authenticated by Bulwark's login flow: the account, the assurance level reached,
 * when each factor was verified, the account's roles as authorities, and the id of the Bulwark
 * session created for it (a public handle, not a credential). Immutable.
 *
 * <p>One created from an {@link IssuedSession} ({@link #issued}) also carries, until
 * {@link BulwarkSecurityContextRepository} hands it to the browser once, the new session token:
 * never serialised, compared or printed, and gone from here once the cookie is written.
 */
public final class BulwarkAuthentication extends AbstractAuthenticationToken {

  private static final long serialVersionUID = 1L;

  private final String accountId;
  private final AssuranceLevel level;
  private final Map<Factor, Instant> factors;
  private final String sessionId;
  // Not restored by deserialisation on purpose: a copy never carries a token.
  private transient AtomicReference<IssuedSession> issued;

  /**
   * The authentication of a session just created, rotated or stepped up: the session's level now,
   * its factors, its id and its authorities; its token is written to the browser by
   * {@link BulwarkSecurityContextRepository#saveContext} (the one time it is readable here).
   */
  public static BulwarkAuthentication issued(IssuedSession issued, Instant now) {
    Objects.requireNonNull(issued, "issued");
    BulwarkAuthentication a = of(issued.session(), now);
    a.issued = new AtomicReference<>(issued);
    return a;
  }

  /** The authentication a live session stands for at {@code now} (its authorities as stored with it). */
  static BulwarkAuthentication of(Session session, Instant now) {
    List<GrantedAuthority> authorities = session.authorities().stream()
        .<GrantedAuthority>map(SimpleGrantedAuthority::new).toList();
    return new BulwarkAuthentication(session.userId(), session.levelAt(now), session.factors(), session.id(),
        authorities);
  }

  /** The session (and token) issued with this authentication, once; empty afterwards and for a loaded one. */
  Optional<IssuedSession> takeIssued() {
    AtomicReference<IssuedSession> ref = issued;
    return ref == null ? Optional.empty() : Optional.ofNullable(ref.getAndSet(null));
  }

  public BulwarkAuthentication(String accountId, AssuranceLevel level, Map<Factor, Instant> factors, String sessionId,
      Collection<? extends GrantedAuthority> authorities) {
    super(authorities);
    this.accountId = Objects.requireNonNull(accountId, "accountId");
    this.level = Objects.requireNonNull(level, "level");
    this.factors = Map.copyOf(factors);
    this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
    setAuthenticated(true);
  }

  @Override
  public Object getCredentials() {
    return "";
  }

  @Override
  public Object getPrincipal() {
    return accountId;
  }

  @Override
  public String getName() {
    return accountId;
  }

  public AssuranceLevel assuranceLevel() {
    return level;
  }

  /** Each factor verified at login, with its time. */
  public Map<Factor, Instant> factors() {
    return factors;
  }

  /** The id of the Bulwark session ({@code Session.id()}), for step-up checks and revocation. */
  public String sessionId() {
    return sessionId;
  }

  @Override
  public String toString() {
    return "BulwarkAuthentication[account=" + accountId + ", level=" + level + ", factors=" + factors
        + ", session=" + sessionId + ", authorities=" + getAuthorities() + ", details=" + getDetails() + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BulwarkAuthentication other && super.equals(o) && sessionId.equals(other.sessionId);
  }

  @Override
  public int hashCode() {
    return super.hashCode() * 31 + sessionId.hashCode();
  }
}
