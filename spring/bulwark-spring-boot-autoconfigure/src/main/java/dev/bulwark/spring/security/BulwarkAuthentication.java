package dev.bulwark.spring.security;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/**
 * A principal authenticated by Bulwark's login flow: the account, the assurance level reached,
 * when each factor was verified, the account's roles as authorities, and the id of the Bulwark
 * session created for it (a public handle, not a credential: the session's token is never held
 * here). Immutable.
 */
public final class BulwarkAuthentication extends AbstractAuthenticationToken {

  private static final long serialVersionUID = 1L;

  private final String accountId;
  private final AssuranceLevel level;
  private final Map<Factor, Instant> factors;
  private final String sessionId;

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
  public boolean equals(Object o) {
    return o instanceof BulwarkAuthentication other && super.equals(o) && sessionId.equals(other.sessionId);
  }

  @Override
  public int hashCode() {
    return super.hashCode() * 31 + sessionId.hashCode();
  }
}
