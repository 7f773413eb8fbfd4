package dev.bulwark.spring.security;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.flow.Account;
import dev.bulwark.authn.flow.LoginFlow;
import dev.bulwark.authn.flow.LoginRequest;
import dev.bulwark.authn.flow.LoginResult;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.session.IssuedSession;
import dev.bulwark.authn.session.SessionException;
import dev.bulwark.authn.session.Sessions;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;

/**
 * Spring Security's username/password login over Bulwark's {@link LoginFlow}: lockout before the
 * password check, Argon2id, the second factor when policy asks for one, then a Bulwark session at
 * the assurance level reached. A refusal is a {@link BulwarkAuthenticationException} carrying the
 * outcome (and, for a lockout, the wait for {@link RetryAfter}); its message does not say whether
 * the account exists. Bulwark audits the login itself, once.
 *
 * <p>A second factor and the client address come from {@link SecondFactorDetails} on the request
 * token. The account's roles become {@code ROLE_<role>} authorities, read once at login and stored
 * with the session. The result carries the new session's token until
 * {@link BulwarkSecurityContextRepository} saves it into the browser's cookie, so a form login
 * whose filter chain uses that repository ends in a Bulwark session. Thread-safe.
 */
public final class BulwarkAuthenticationProvider implements AuthenticationProvider {

  private final LoginFlow flow;
  private final AccountDirectory accounts;
  private final Sessions sessions;
  private final Clock clock;

  public BulwarkAuthenticationProvider(LoginFlow flow, AccountDirectory accounts, Sessions sessions, Clock clock) {
    this.flow = Objects.requireNonNull(flow, "flow");
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Authentication authenticate(Authentication authentication) throws AuthenticationException {
    Object credentials = authentication.getCredentials();
    String password = credentials == null ? "" : credentials.toString();
    Optional<SecondFactorDetails> details = authentication.getDetails() instanceof SecondFactorDetails d
        ? Optional.of(d) : Optional.empty();
    LoginRequest request = LoginRequest.of(authentication.getName(), password,
        details.map(SecondFactorDetails::source));
    Optional<dev.bulwark.authn.flow.SecondFactorResponse> second = details.flatMap(SecondFactorDetails::response);
    if (second.isPresent()) {
      request = request.withSecondFactor(second.get());
    }
    LoginResult result = flow.login(request);
    if (result.outcome() != LoginResult.Outcome.SUCCESS) {
      throw new BulwarkAuthenticationException(result);
    }
    String accountId = result.accountId().orElseThrow();
    Instant now = clock.instant();
    Map<Factor, Instant> factors = new EnumMap<>(Factor.class);
    for (Factor f : result.factors()) {
      factors.put(f, result.verifiedAt(f).orElse(now));
    }
    java.util.Set<String> authorities = new java.util.TreeSet<>();
    roles(authentication.getName(), accountId).forEach(r -> authorities.add("ROLE_" + r));
    IssuedSession issued;
    try {
      issued = sessions.create(accountId, result.assuranceLevel().orElseThrow(), factors, authorities);
    } catch (SessionException e) {
      throw new AuthenticationServiceException("no session could be created", e);
    }
    BulwarkAuthentication done = BulwarkAuthentication.issued(issued, now);
    done.setDetails(authentication.getDetails());
    return done;
  }

  private java.util.stream.Stream<String> roles(String typed, String accountId) {
    try {
      return accounts.find(accounts.canonicalIdentifier(typed)).filter(a -> a.accountId().equals(accountId))
          .map(Account::roles).orElse(java.util.Set.of()).stream();
    } catch (IllegalArgumentException e) {
      return java.util.stream.Stream.empty();
    }
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
  }
}
