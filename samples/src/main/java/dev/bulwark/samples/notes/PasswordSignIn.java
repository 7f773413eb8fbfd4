package dev.bulwark.samples.notes;

import dev.bulwark.authn.Factor;
import dev.bulwark.authn.flow.LoginResult;
import dev.bulwark.authn.flow.spi.AccountDirectory;
import dev.bulwark.authn.lockout.Lockout;
import dev.bulwark.authn.password.PasswordHasher;
import dev.bulwark.ratelimit.RateLimitDecision;
import dev.bulwark.ratelimit.RateLimitKey;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.spring.security.BulwarkAuthenticationException;
import dev.bulwark.spring.security.BulwarkAuthenticationProvider;
import dev.bulwark.spring.security.SecondFactorDetails;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;

/**
 * The sign-in form's authentication: the per-source limit and the input checks, then the starter's
 * {@link BulwarkAuthenticationProvider} (authn's one-step LoginFlow: lockout, Argon2id, password and
 * TOTP code together, a Bulwark session at the level reached). A refusal becomes a {@link Refused}
 * with the message the page shows: a wrong password, a missing code and a wrong code all read
 * "Wrong username, password or code.", and the failure that locks the account says so.
 *
 * <p>After a failure the next attempt's fate is asked the way LoginFlow counts, atomically: a
 * lockout reservation of the same keys (canonical identifier, the factors presented, the source),
 * given straight back when admitted; never a separate check of the name typed. Thread-safe.
 */
final class PasswordSignIn implements AuthenticationProvider {

  /** A refused sign-in: the error to show (a {@link RateLimited} or {@link Locked} among them). */
  static final class Refused extends AuthenticationException {
    private static final long serialVersionUID = 1L;

    private final transient UserError error;

    Refused(UserError error, Throwable cause) {
      super(error.getMessage(), cause);
      this.error = error;
    }

    UserError error() {
      return error;
    }
  }

  /** A refusal while the account (or source) is locked: the page says for how long, Retry-After too. */
  static final class Locked extends UserError {
    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    Locked(String message, Duration retryAfter) {
      super(message);
      this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
      return retryAfter;
    }
  }

  private final BulwarkAuthenticationProvider delegate;
  private final RateLimiter logins;
  private final Lockout lockout;
  private final AccountDirectory directory;
  private final NotesAudit audit;

  PasswordSignIn(BulwarkAuthenticationProvider delegate, RateLimiter logins, Lockout lockout, AccountDirectory directory,
      NotesAudit audit) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.logins = logins;
    this.lockout = lockout;
    this.directory = directory;
    this.audit = audit;
  }

  /** The code as typed, without spaces; null when none was typed. */
  static String normalizeCode(String code) {
    String c = code == null ? "" : code.replace(" ", "").trim();
    return c.isEmpty() ? null : c;
  }

  @Override
  public Authentication authenticate(Authentication authentication) throws AuthenticationException {
    SecondFactorDetails details = authentication.getDetails() instanceof SecondFactorDetails d ? d
        : new SecondFactorDetails(null, null, null);
    String username = authentication.getName() == null ? "" : authentication.getName();
    String password = authentication.getCredentials() == null ? "" : authentication.getCredentials().toString();
    String source = String.valueOf(details.source());
    RateLimitDecision admitted = logins.acquire(RateLimitKey.builder().source(source).build());
    if (admitted.denied()) {
      throw new Refused(audit.limited(admitted, "anonymous", "/login", source,
          "Too many sign-in attempts from your address; try again in " + NotesService.minutes(admitted.retryAfter())
              + "."), null);
    }
    if (username.isBlank() || password.isEmpty()) {
      throw new Refused(new UserError("Enter your username and password."), null);
    }
    if (username.length() > 256 || password.length() > PasswordHasher.MAX_PASSWORD_CHARS) {
      throw new Refused(new UserError("Wrong username, password or code."), null);
    }
    try {
      return delegate.authenticate(authentication);
    } catch (BulwarkAuthenticationException e) {
      throw new Refused(refusal(e, username, details.totpCode(), source), e);
    }
  }

  private UserError refusal(BulwarkAuthenticationException e, String username, String code, String source) {
    if (e.outcome() == LoginResult.Outcome.LOCKED) {
      return new Locked(NotesService.lockedMessage(e.retryAfter()), e.retryAfter());
    }
    if (e.outcome() == LoginResult.Outcome.SECOND_FACTOR_ENROLLMENT_REQUIRED) {
      return new UserError("This account has not finished setting up its authenticator app. Sign in with a passkey instead.");
    }
    // LoginFlow counted this failure with a reservation. Whether the next attempt would be
    // admitted is asked the same way, atomically: a reservation of the same keys (canonical
    // identifier, the factors presented, the source), given straight back when admitted.
    // The answer depends only on the counts, never on which part of the request was wrong.
    Set<Factor> presented = code == null ? EnumSet.of(Factor.PASSWORD) : EnumSet.of(Factor.PASSWORD, Factor.TOTP);
    Lockout.Attempt next = lockout.reserve(canonicalOrTyped(username), presented, Optional.of(source));
    if (!next.admitted()) {
      Duration wait = next.status().retryAfter();
      return new Locked("Wrong username, password or code. " + NotesService.lockedMessage(wait), wait);
    }
    lockout.refund(next);
    return new UserError("Wrong username, password or code.");
  }

  private String canonicalOrTyped(String typed) {
    try {
      String c = directory.canonicalIdentifier(typed);
      return c == null || c.isEmpty() || c.length() > Lockout.MAX_IDENTIFIER_CHARS ? typed : c;
    } catch (IllegalArgumentException e) {
      return typed;
    }
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
  }
}
